"""Scheduling and booking: when surgeons see patients, and the consultations patients request."""

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Case, Count, F, Func, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf, Upper
from django.urls import reverse
from django.utils import timezone

from clinic.models import Location, Surgeon
from consultations import lifecycle
from consultations.models.patients import Patient

# The longest a consultation may last (a clinic's longest slot is eight hours too).
MAX_LENGTH = timedelta(hours=8)
# The longest buffer a consultation may keep clear after it (BOOKING_BUFFER_MINUTES may not exceed it).
MAX_BUFFER_MINUTES = 240
MAX_BUFFER = timedelta(minutes=MAX_BUFFER_MINUTES)


class TsTzRange(Func):
    """PostgreSQL's tstzrange(start, end): the half-open range [start, end)."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PlusMinutes(Func):
    """A timestamptz moved on by a whole number of minutes, in UTC: `timestamptz + interval` depends on the
    session's time zone, so PostgreSQL will not index it; moved as a UTC wall time, it is immutable."""

    template = "TIMEZONE('UTC', TIMEZONE('UTC', %(expressions)s))"
    arg_joiner = ") + MAKE_INTERVAL(mins => "
    output_field = models.DateTimeField()


class AvailabilityRule(models.Model):
    """A weekly clinic: on `weekday`, from `start_time` to `end_time` in the location's own time zone."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="availability_rules")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="availability_rules")
    weekday = models.PositiveSmallIntegerField(choices=Weekday)
    start_time = models.TimeField(help_text="Local wall-clock time at the location.")
    end_time = models.TimeField(help_text="Local wall-clock time at the location.")
    slot_minutes = models.PositiveSmallIntegerField(default=30)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(
        null=True, blank=True, help_text="Last day the rule applies; empty means open-ended."
    )

    class Meta:
        ordering = ["surgeon", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="availability_rule_ends_after_start",
                violation_error_message="The clinic must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=480),
                name="availability_rule_slot_length",
                violation_error_message="A slot lasts between 5 minutes and 8 hours.",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="availability_rule_valid_range",
                violation_error_message="The rule's last day must not be before its first day.",
            ),
        ]

    def __str__(self) -> str:
        hours = f"{self.start_time:%H:%M}-{self.end_time:%H:%M}"
        return f"{self.surgeon} at {self.location}, {self.get_weekday_display()} {hours}"


class TimeOff(models.Model):
    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True, help_text="Seen by staff only.")

    class Meta:
        ordering = ["start"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="time_off_ends_after_start",
                violation_error_message="Time off must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.surgeon} off {self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M} UTC"


class SafetyFlag(models.TextChoices):
    NONE = "", "None"
    # Possible cancer or fracture: the patient was told to see a doctor today; staff review the request.
    REVIEW = "review", "Red flag: staff review"
    # An emergency symptom the patient says they have had, unchanged, for weeks and a doctor has examined.
    URGENT = "urgent", "Urgent: emergency symptom reported"


# The surgeon's review priorities the desk sees as a flag (IntakeReview.Priority's values).
FLAGGED_PRIORITIES = ("urgent", "soon")
URGENT = Q(safety_flag=SafetyFlag.URGENT) | Q(intake__review__priority="urgent")
FLAGGED = ~Q(safety_flag=SafetyFlag.NONE) | Q(intake__review__priority__in=FLAGGED_PRIORITIES)

# The insurance's verification as the desk's lists flag it (Coverage's kind and verification values; Coverage lives
# in models/coverage.py, which imports this module).
COVERAGE_INSURANCE = "insurance"
COVERAGE_BADGES = {"unverified": "Insurance not verified", "problem": "Insurance problem"}

# The intake's status in the front desk's words: how far the patient got, never what they wrote.
DESK_INTAKE_LABELS = {"in_progress": "In progress", "completed": "Sent", "amended": "Sent (amended)"}
DESK_INTAKE_NONE = "Not started"


class ConsultationQuerySet(models.QuerySet):
    def for_desk(self) -> "ConsultationQuerySet":
        """What the front desk may see of each consultation, in the same query (DOMAIN.md §7, minimum necessary):
        who, when, where and the number to call (this request's, else the patient's); of the intake only its
        status (`intake_status`, `intake_label`) and of the surgeon's review only its priority, so no clinical
        field is even loaded; whether insurance waits to be verified (`coverage_kind`, `coverage_verification`,
        for `coverage_badge`); and the last thing done to it (`last_action`)."""
        # ConsultationEvent lives in models/desk.py, which imports this module.
        event = self.model._meta.get_field("events").related_model
        latest = event.objects.filter(consultation=OuterRef("pk")).order_by("-at", "-pk")
        labels = (When(intake__status=status, then=Value(label)) for status, label in DESK_INTAKE_LABELS.items())
        return self.select_related("patient", "surgeon", "location").annotate(
            intake_status=F("intake__status"),
            intake_label=Case(*labels, default=Value(DESK_INTAKE_NONE), output_field=models.CharField()),
            review_priority=F("intake__review__priority"),
            coverage_kind=F("coverage__kind"),
            coverage_verification=F("coverage__verification"),
            last_action=Subquery(latest.values("action")[:1]),
            phone_to_call=Coalesce(NullIf(F("contact_phone"), Value("")), F("patient__phone")),
        )

    def with_open_links(self) -> "ConsultationQuerySet":
        """Those whose patient link still works by the consultation's age (`Consultation.link_open_until`)."""
        return self.filter(end__gt=timezone.now() - timedelta(days=settings.PATIENT_LINK_DAYS_AFTER))

    def occupying(self) -> "ConsultationQuerySet":
        return self.filter(status__in=Consultation.OCCUPYING)

    def overlapping(self, start: datetime, end: datetime) -> "ConsultationQuerySet":
        """Those whose time overlaps [start, end). The lower bound on `start` lets PostgreSQL read only the window
        from the (surgeon, start) index, however long the history: none started earlier can reach into it
        (`consultation_at_most_eight_hours`)."""
        return self.filter(start__gte=start - MAX_LENGTH, start__lt=end, end__gt=start)

    def for_surgeon_user(self, user: AbstractBaseUser | AnonymousUser) -> "ConsultationQuerySet":
        """The consultations of the surgeon who signs in as `user`; none for anyone else."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(surgeon__user=user)

    def urgent_first(self) -> "ConsultationQuerySet":
        """The desk's order for requests: urgent ones (an emergency symptom, or the surgeon's "urgent"), then those
        to review (a red flag, or "soon"), each group oldest first."""
        rank = Case(
            When(URGENT, then=Value(0)),
            When(Q(safety_flag=SafetyFlag.REVIEW) | Q(intake__review__priority="soon"), then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        return self.annotate(rank=rank).order_by("rank", "created_at", "pk")

    def waiting_counts(self) -> dict[str, int]:
        """How many requests wait for the desk, and how many of them carry a flag (`Consultation.desk_flags`)."""
        return self.filter(status=Consultation.Status.REQUESTED).aggregate(
            waiting=Count("pk"), flagged=Count("pk", filter=FLAGGED)
        )


class Consultation(models.Model):
    Status = models.TextChoices("Status", lifecycle.choices(lifecycle.Status, lifecycle.STATUS_LABELS))

    class Channel(models.TextChoices):
        ONLINE = "online", "Online"
        PHONE = "phone", "Phone call"
        WALK_IN = "walk_in", "At the desk"
        REFERRAL = "referral", "Referral"

    class VisitType(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video call"

    OCCUPYING = lifecycle.OCCUPYING
    CHANGEABLE = lifecycle.CHANGEABLE

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    surgeon = models.ForeignKey(Surgeon, on_delete=models.PROTECT, related_name="consultations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="consultations")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consultations")
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The buffer in force when this time was booked (BOOKING_BUFFER_MINUTES): kept clear after `end`, by the
    # exclusion constraint, so a later change of the setting never puts existing bookings in the wrong.
    buffer_minutes = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)
    status = models.CharField(max_length=12, choices=Status, default=Status.REQUESTED)
    visit_type = models.CharField(max_length=10, choices=VisitType, default=VisitType.IN_PERSON)
    # As typed for this request; the patient row keeps what the person first gave us.
    contact_name = models.CharField(max_length=170, blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    reason = models.CharField("reason in a sentence", max_length=300)
    cancellation_reason = models.CharField(max_length=300, blank=True)
    # A form's one-time key, so a double click or a retried POST never makes two requests.
    idempotency_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    # Raised on every change the patient's calendar must follow (the .ics SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # How the request came in; anything but online was booked by the desk (`booked_by`).
    channel = models.CharField(max_length=10, choices=Channel, default=Channel.ONLINE)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The desk's own note on a booking; staff only.
    desk_note = models.CharField(max_length=300, blank=True)
    # Set from the red-flag screen the patient passed before choosing a time (see RedFlagScreen).
    safety_flag = models.CharField(max_length=8, choices=SafetyFlag, blank=True, default=SafetyFlag.NONE)
    # Where an online request came from, as keyed hashes (clinic.ratelimit) that group requests without storing the
    # address, e-mail or phone they were made from; blank for what the desk booked.
    address_hash = models.CharField(max_length=64, blank=True, editable=False)
    email_hash = models.CharField(max_length=64, blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        indexes = [
            # Busy times are read from the index alone (an index-only scan): the heap pages a window's rows sit on
            # spread out as the history grows.
            models.Index(
                fields=["surgeon", "start"], include=["end", "buffer_minutes", "status"], name="consultation_busy_times"
            ),
            # The desk's patient search: a name the patient booked with, in any case.
            GinIndex(OpClass(Upper("contact_name"), name="gin_trgm_ops"), name="consultation_contact_name_trgm"),
            # The desk's queue: the waiting requests only, oldest first, however many other rows there are.
            models.Index(fields=["created_at", "id"], condition=Q(status="requested"), name="consultation_waiting"),
            # The limits per contact and the desk's possible spam count open requests by origin.
            models.Index(fields=["address_hash"], condition=~Q(address_hash=""), name="consultation_address_hash"),
            models.Index(fields=["email_hash"], condition=~Q(email_hash=""), name="consultation_email_hash"),
            models.Index(fields=["phone_hash"], condition=~Q(phone_hash=""), name="consultation_phone_hash"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="consultation_ends_after_start",
                violation_error_message="A consultation must end after it starts.",
            ),
            # So that the consultations touching a window are found from the (surgeon, start) index alone: none
            # started more than MAX_LENGTH before it.
            models.CheckConstraint(
                condition=Q(end__lte=F("start") + MAX_LENGTH),
                name="consultation_at_most_eight_hours",
                violation_error_message="A consultation lasts at most eight hours.",
            ),
            models.CheckConstraint(
                condition=Q(buffer_minutes__lte=MAX_BUFFER_MINUTES),
                name="consultation_buffer_at_most_four_hours",
                violation_error_message="A buffer lasts at most four hours.",
            ),
            # Each consultation holds [start, end + its buffer): the next one with this surgeon starts at least
            # that buffer after it ends, and one booked before it ends at least its own buffer before it starts.
            # With one buffer for all, any two are at least the buffer apart, in whole minutes.
            ExclusionConstraint(
                name="consultation_no_overlap",
                expressions=[
                    (TsTzRange("start", PlusMinutes("end", "buffer_minutes")), RangeOperators.OVERLAPS),
                    ("surgeon", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=["requested", "confirmed", "checked_in"]),
                violation_error_message="That time overlaps another consultation with this surgeon.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} with {self.surgeon}"

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        # The buffer is never typed into a form, yet a form's overlap check needs it: it is never left out.
        super().validate_constraints(exclude=set(exclude or ()) - {"buffer_minutes"})

    @property
    def name_as_typed(self) -> str:
        """The name given with this request: what the patient's own pages show, never another request's."""
        return self.contact_name or str(self.patient)

    @property
    def reference(self) -> str:
        """A short reference patients can read out on the phone."""
        return self.public_id.hex[:8].upper()

    @property
    def local_start(self) -> datetime:
        return timezone.localtime(self.start, self.location.zone)

    @property
    def local_end(self) -> datetime:
        return timezone.localtime(self.end, self.location.zone)

    @property
    def is_changeable(self) -> bool:
        return self.status in self.CHANGEABLE and self.start > timezone.now()

    @property
    def is_going_ahead(self) -> bool:
        """Still holding its time and not over: a patient may still add to it."""
        return self.status in self.OCCUPYING and not self.is_over

    @property
    def is_over(self) -> bool:
        return self.end <= timezone.now() or self.status in (self.Status.COMPLETED, self.Status.NO_SHOW)

    @property
    def link_open_until(self) -> datetime:
        """The patient's link to it works until then (`with_open_links`), and never longer than a year after the
        e-mail that carried it (consultations.links)."""
        return self.end + timedelta(days=settings.PATIENT_LINK_DAYS_AFTER)

    @property
    def awaiting_patient(self) -> bool:
        """The desk proposed this time, and the patient has neither answered nor changed it since. Rows loaded
        with `for_desk()` know their last action; any other asks the history."""
        if self.status != self.Status.REQUESTED or self.start <= timezone.now():
            return False
        if "last_action" in self.__dict__:
            last_action = self.__dict__["last_action"]
        else:
            last_action = self.events.order_by("-at", "-pk").values_list("action", flat=True).first()
        return last_action == lifecycle.Action.PROPOSE

    @property
    def intake_sent(self) -> bool:
        """The patient sent their history (rows loaded with `for_desk()`)."""
        return self.intake_status in ("completed", "amended")

    @property
    def desk_flags(self) -> list[str]:
        """The red-flag screen's flag and the surgeon's priority, as the desk sees them (rows from `for_desk()`)."""
        flags = []
        if self.safety_flag:
            flags.append(self.get_safety_flag_display())
        if self.review_priority in FLAGGED_PRIORITIES:
            flags.append(f"Surgeon: {self.review_priority}")
        return flags

    @property
    def coverage_badge(self) -> str:
        """What the desk still has to do about the patient's insurance (rows loaded with `for_desk()`): verify it,
        or sort out a problem found; nothing for self-pay, "not sure" or insurance verified."""
        if self.__dict__.get("coverage_kind") != COVERAGE_INSURANCE:
            return ""
        return COVERAGE_BADGES.get(self.__dict__.get("coverage_verification"), "")

    def get_admin_url(self) -> str:
        return reverse("admin:consultations_consultation_change", args=[self.pk])
