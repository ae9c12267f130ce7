"""Write workflows for consultations: request, reschedule, cancel. Side effects run on commit."""

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Value
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils import timezone

from clinic.models import Location, Surgeon
from consultations import intake as intake_workflows
from consultations import slots, tasks, transitions, uploads
from consultations.models import (
    AccessLog,
    AvailabilityRule,
    Consultation,
    ConsultationEvent,
    ConsultationQuerySet,
    Intake,
    Patient,
    RedFlagScreen,
    SentMessage,
    TimeOff,
    Upload,
    WaitlistEntry,
    WaitlistOffer,
)
from consultations.models.scheduling import SafetyFlag
from consultations.red_flags import Urgency
from consultations.screening import ScreenResult

EXCLUSION_VIOLATION = "23P01"


class SlotUnavailable(Exception):
    """The time is not free: taken meanwhile, on time off, outside the rules, too soon or too far ahead."""


class SlotTaken(SlotUnavailable):
    """Someone else took the time between showing and booking it (the database's exclusion constraint)."""


class FormAlreadyUsed(Exception):
    """The form's one-time key was already used for a different request (e.g. Back on a shared computer)."""


class AlreadyAtThatTime(Exception):
    """The patient chose the time the consultation already has."""


class NotChangeable(Exception):
    """The consultation is over, cancelled or declined, so it can no longer be moved or cancelled."""


@dataclass(frozen=True)
class PatientDetails:
    first_name: str
    last_name: str
    date_of_birth: date
    email: str
    phone: str
    preferred_contact: str = Patient.Contact.EMAIL
    preferred_language: str = "English"


def booking_policy() -> slots.Policy:
    return slots.Policy(
        min_notice=timedelta(hours=settings.BOOKING_MIN_NOTICE_HOURS),
        horizon=timedelta(days=settings.BOOKING_HORIZON_DAYS),
        buffer=timedelta(minutes=settings.BOOKING_BUFFER_MINUTES),
    )


def is_overlap(error: IntegrityError) -> bool:
    return getattr(error.__cause__, "pgcode", None) == EXCLUSION_VIOLATION


def _rule(rule: AvailabilityRule) -> slots.Rule:
    return slots.Rule(
        location=rule.location.slug,
        timezone=rule.location.timezone,
        weekday=rule.weekday,
        start=rule.start_time,
        end=rule.end_time,
        slot_minutes=rule.slot_minutes,
        valid_from=rule.valid_from,
        valid_until=rule.valid_until,
    )


def _window(first_day: date, days: int, policy: slots.Policy) -> tuple[datetime, datetime]:
    """The UTC range whose time off and consultations can touch slots on those local dates."""
    # Local dates run up to 14 hours either side of UTC; widen the window so no zone's edge is cut.
    since = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC) - timedelta(hours=14) - policy.buffer
    return since, since + timedelta(days=days, hours=28) + 2 * policy.buffer


def free_slots_by_surgeon(
    surgeon_ids: list[int],
    *,
    first_day: date,
    days: int,
    now: datetime | None = None,
    ignore: Consultation | None = None,
) -> dict[int, list[slots.Slot]]:
    """Free slots of each surgeon over local dates, in three queries however many surgeons and bookings."""
    now = now or timezone.now()
    policy = booking_policy()
    window_start, window_end = _window(first_day, days, policy)
    rules: dict[int, list[slots.Rule]] = defaultdict(list)
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for rule in AvailabilityRule.objects.filter(surgeon__in=surgeon_ids).select_related("location"):
        rules[rule.surgeon_id].append(_rule(rule))
    for surgeon_id, start, end in TimeOff.objects.filter(
        surgeon__in=surgeon_ids, start__lt=window_end, end__gt=window_start
    ).values_list("surgeon", "start", "end"):
        busy[surgeon_id].append((start, end))
    occupied = Consultation.objects.occupying().filter(surgeon__in=surgeon_ids).overlapping(window_start, window_end)
    if ignore is not None:
        occupied = occupied.exclude(pk=ignore.pk)
    for surgeon_id, start, end in occupied.values_list("surgeon", "start", "end"):
        busy[surgeon_id].append((start, end))
    return {
        surgeon_id: slots.free_slots(
            rules=rules[surgeon_id], busy=busy[surgeon_id], first_day=first_day, days=days, now=now, policy=policy
        )
        for surgeon_id in surgeon_ids
    }


# One surgeon's row, rules, time off and occupied times in one statement: for one surgeon (the slots API, the
# booking pages) building three ORM queries cost more than running them (bench/README.md). `{surgeon}` is the
# condition that picks the surgeon; `since` and `until` are the UTC window, `ignore` a consultation to leave
# out (the one being moved). Rules come first, in the model's order (weekday, start time): where two rules
# offer the same start, the first one's location is offered. The other rows have no weekday. The occupied
# times come from the (surgeon, start) index in two short reads: those starting inside the window, and the
# last one starting before it, if it runs into the window. No other can: the exclusion constraint keeps one
# surgeon's occupying consultations apart, so at most one of them is under way when the window opens.
# (`start < until AND "end" > since` read every earlier consultation of the surgeon; the constraint's own
# index, range first, every surgeon's in the window.)
SCHEDULE_SQL = """
    WITH surgeon AS (SELECT id FROM clinic_surgeon WHERE {surgeon})
    SELECT 'rule', rule.weekday, rule.start_time, rule.end_time, rule.slot_minutes, rule.valid_from,
           rule.valid_until, location.slug, location.timezone, NULL::bigint, NULL::bigint, rule.id
      FROM consultations_availabilityrule rule JOIN clinic_location location ON location.id = rule.location_id
     WHERE rule.surgeon_id = (SELECT id FROM surgeon)
    UNION ALL
    SELECT 'surgeon', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, id FROM surgeon
    UNION ALL
    SELECT 'busy', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, {micros}
      FROM consultations_timeoff
     WHERE surgeon_id = (SELECT id FROM surgeon) AND start < %(until)s AND "end" > %(since)s
    UNION ALL
    SELECT 'busy', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, {micros}
      FROM consultations_consultation
     WHERE surgeon_id = (SELECT id FROM surgeon) AND status IN ({occupying})
       AND start >= %(since)s AND start < %(until)s AND id IS DISTINCT FROM %(ignore)s
    UNION ALL
    SELECT 'busy', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, {micros}
      FROM (SELECT start, "end" FROM consultations_consultation
             WHERE surgeon_id = (SELECT id FROM surgeon) AND status IN ({occupying})
               AND start < %(since)s AND id IS DISTINCT FROM %(ignore)s
             ORDER BY start DESC LIMIT 1) latest
     WHERE "end" > %(since)s
     ORDER BY 2, 3, 12
"""
# Busy times as microseconds since the epoch, exact: reading integers costs less than reading timestamps, and
# the generator counts in them (slots.Busy).
_SQL_PARTS = {
    "occupying": ", ".join(f"'{status}'" for status in Consultation.OCCUPYING),
    "micros": '(extract(epoch FROM start) * 1000000)::bigint, (extract(epoch FROM "end") * 1000000)::bigint, NULL',
}
BY_ID = SCHEDULE_SQL.format(surgeon="id = %(surgeon)s", **_SQL_PARTS)
# Surgeon.objects.listed().filter(accepts_new_patients=True), as the slots API offers them.
PUBLIC_BY_SLUG = SCHEDULE_SQL.format(surgeon="slug = %(surgeon)s AND is_listed AND accepts_new_patients", **_SQL_PARTS)


def _schedule(
    sql: str, surgeon: int | str, *, since: datetime, until: datetime, ignore: Consultation | None
) -> tuple[list[slots.Rule], list[tuple[int, int]]] | None:
    """The rules and the busy times (in microseconds since the epoch) between `since` and `until` of the
    surgeon that `sql` finds, or None if it finds none."""
    found = False
    rules: list[slots.Rule] = []
    busy: list[tuple[int, int]] = []
    params = {"surgeon": surgeon, "since": since, "until": until, "ignore": ignore.pk if ignore else None}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for kind, weekday, start, end, minutes, valid_from, valid_until, location, zone, off, back, _ in rows:
        if kind == "busy":
            busy.append((off, back))
        elif kind == "rule":
            rules.append(
                slots.Rule(
                    location=location,
                    timezone=zone,
                    weekday=weekday,
                    start=start,
                    end=end,
                    slot_minutes=minutes,
                    valid_from=valid_from,
                    valid_until=valid_until,
                )
            )
        else:
            found = True
    return (rules, busy) if found else None


def free_slots_for(
    surgeon: Surgeon, *, first_day: date, days: int, now: datetime | None = None, ignore: Consultation | None = None
) -> list[slots.Slot]:
    """What `free_slots_by_surgeon` gives for one surgeon, in one query."""
    policy = booking_policy()
    since, until = _window(first_day, days, policy)
    schedule = _schedule(BY_ID, surgeon.pk, since=since, until=until, ignore=ignore)
    if schedule is None:
        return []
    rules, busy = schedule
    return slots.free_slots(
        rules=rules, busy=busy, first_day=first_day, days=days, now=now or timezone.now(), policy=policy
    )


def public_free_slots(*, surgeon_slug: str, first_day: date, days: int) -> str | None:
    """The free slots of the listed surgeon taking new patients who has that slug, as the slots API lists them
    (a JSON array: `slots.free_slots_json`), in one query; None if no such surgeon."""
    policy = booking_policy()
    since, until = _window(first_day, days, policy)
    schedule = _schedule(PUBLIC_BY_SLUG, surgeon_slug, since=since, until=until, ignore=None)
    if schedule is None:
        return None
    rules, busy = schedule
    return slots.free_slots_json(
        rules=rules, busy=busy, first_day=first_day, days=days, now=timezone.now(), policy=policy
    )


def first_free_slots(surgeon_ids: list[int]) -> dict[int, slots.Slot]:
    """Each surgeon's first free slot within the booking horizon, in three queries."""
    by_surgeon = free_slots_by_surgeon(
        surgeon_ids, first_day=timezone.localdate(), days=booking_policy().horizon.days + 1
    )
    return {surgeon_id: found[0] for surgeon_id, found in by_surgeon.items() if found}


def offered_slot(
    surgeon: Surgeon, start: datetime, location: Location, ignore: Consultation | None = None
) -> slots.Slot:
    local_day = timezone.localtime(start, location.zone).date()
    slot = slots.is_offered(free_slots_for(surgeon, first_day=local_day, days=1, ignore=ignore), start, location.slug)
    if slot is not None:
        return slot
    taken = Consultation.objects.occupying().filter(surgeon=surgeon).overlapping(start, start + timedelta(minutes=1))
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    raise SlotTaken if taken.exists() else SlotUnavailable


def _find_or_create_patient(details: PatientDetails) -> Patient:
    """The same person (same e-mail and date of birth) is the same row. An anonymous form never changes an
    existing patient's details: what was typed this time is kept on the consultation instead."""
    # Compared the way the unique constraint compares: PostgreSQL's LOWER(), not Python's.
    same_person = {"email_lower": Lower(Value(details.email)), "date_of_birth": details.date_of_birth}
    patient = Patient.objects.annotate(email_lower=Lower("email")).filter(**same_person).first()
    if patient is not None:
        return patient
    try:
        with transaction.atomic():
            return Patient.objects.create(
                first_name=details.first_name,
                last_name=details.last_name,
                date_of_birth=details.date_of_birth,
                email=details.email,
                phone=details.phone,
                preferred_contact=details.preferred_contact,
                preferred_language=details.preferred_language,
            )
    except IntegrityError:
        # Created by a simultaneous request from the same person a moment ago.
        return Patient.objects.annotate(email_lower=Lower("email")).get(**same_person)


def _by_key(idempotency_key: uuid.UUID, details: PatientDetails) -> Consultation | None:
    """The consultation made with this form key, marked with whether it is the same person's."""
    same_person = Q(patient_email=Lower(Value(details.email)), patient__date_of_birth=details.date_of_birth)
    return (
        Consultation.objects.filter(idempotency_key=idempotency_key)
        .annotate(patient_email=Lower("patient__email"))
        .annotate(same_person=ExpressionWrapper(same_person, output_field=BooleanField()))
        .first()
    )


def _same_submission(consultation: Consultation, *, surgeon: Surgeon, start: datetime) -> bool:
    return consultation.same_person and consultation.surgeon_id == surgeon.pk and consultation.start == start


# How a red flag the patient went on past marks the request for the front desk.
SAFETY_FLAGS = {
    Urgency.NONE: SafetyFlag.NONE,
    Urgency.SAME_DAY: SafetyFlag.REVIEW,
    Urgency.EMERGENCY: SafetyFlag.URGENT,
}


def _record_screen(*, consultation: Consultation, screen: ScreenResult) -> RedFlagScreen:
    return RedFlagScreen.objects.create(
        consultation=consultation,
        screened_at=screen.screened_at,
        items=list(screen.items),
        recent_surgery=screen.recent_surgery,
        urgency=screen.urgency,
        message_shown=screen.message_shown,
        acknowledgement=screen.acknowledgement,
        acknowledged_at=screen.screened_at if screen.acknowledgement else None,
    )


@transaction.atomic
def request_consultation(
    *,
    surgeon: Surgeon,
    location: Location,
    start: datetime,
    details: PatientDetails,
    visit_type: str,
    reason: str,
    idempotency_key: uuid.UUID,
    screen: ScreenResult | None = None,
    waitlist: bool = False,
) -> Consultation:
    """Take the slot for the patient at once. The same form sent again returns the first consultation; a
    form whose key was already used for someone or something else is refused, never shown.

    `screen` is the red-flag screen the patient passed; it is recorded with the request and flags it for
    the front desk. None only where no patient screen took place (the tests of scheduling alone).
    `waitlist`: the patient also asked to hear of an earlier time, recorded in the same transaction."""
    existing = _by_key(idempotency_key, details)
    if existing is not None:
        if _same_submission(existing, surgeon=surgeon, start=start):
            return existing
        raise FormAlreadyUsed
    slot = offered_slot(surgeon, start, location)
    patient = _find_or_create_patient(details)
    try:
        with transaction.atomic():
            consultation = Consultation.objects.create(
                surgeon=surgeon,
                location=location,
                patient=patient,
                contact_name=f"{details.first_name} {details.last_name}",
                contact_phone=details.phone,
                start=slot.start,
                end=slot.end,
                visit_type=visit_type,
                reason=reason,
                idempotency_key=idempotency_key,
                safety_flag=SAFETY_FLAGS[screen.urgency] if screen else SafetyFlag.NONE,
            )
    except IntegrityError as error:
        if is_overlap(error):
            raise SlotTaken from error
        duplicate = _by_key(idempotency_key, details)
        if duplicate is not None and _same_submission(duplicate, surgeon=surgeon, start=start):
            return duplicate
        raise
    if screen is not None:
        _record_screen(consultation=consultation, screen=screen)
    if waitlist:
        join_waitlist(consultation=consultation)
    transaction.on_commit(partial(tasks.send_request_received.enqueue, consultation.pk))
    transaction.on_commit(partial(tasks.send_new_request_to_desk.enqueue, consultation.pk))
    return consultation


@transaction.atomic
def reschedule_consultation(*, consultation: Consultation, start: datetime, location: Location) -> Consultation:
    """Move to another free slot of the same surgeon: the new time is taken and the old one freed together."""
    consultation = Consultation.objects.select_for_update().select_related("surgeon").get(pk=consultation.pk)
    if not consultation.is_changeable:
        raise NotChangeable
    if start == consultation.start and location.pk == consultation.location_id:
        raise AlreadyAtThatTime
    slot = offered_slot(consultation.surgeon, start, location, ignore=consultation)
    moved_from, from_status = _when(consultation), consultation.status
    consultation.start, consultation.end, consultation.location = slot.start, slot.end, location
    consultation.status = Consultation.Status.REQUESTED
    consultation.sequence += 1
    try:
        with transaction.atomic():
            consultation.save(update_fields=["start", "end", "location", "status", "sequence", "updated_at"])
    except IntegrityError as error:
        if is_overlap(error):
            raise SlotTaken from error
        raise
    _record_event(
        consultation=consultation,
        action=ConsultationEvent.Action.RESCHEDULE,
        from_status=from_status,
        by=None,
        note=f"From {moved_from} to {_when(consultation)}",
    )
    transaction.on_commit(partial(tasks.send_rescheduled.enqueue, consultation.pk))
    transaction.on_commit(partial(tasks.send_change_to_desk.enqueue, consultation.pk))
    return consultation


@transaction.atomic
def cancel_consultation(
    *, consultation: Consultation, reason: str = "", by: AbstractBaseUser | None = None
) -> Consultation:
    """Cancel for the patient (`by` None: from their link) or for the front desk (`by`: the staff member).
    The freed time is offered to the surgeon's waitlist."""
    if by is None:
        consultation = _locked(consultation)
        if not consultation.is_changeable:
            raise NotChangeable
        from_status = consultation.status
        consultation.status = Consultation.Status.CANCELLED
        consultation.status_changed_at = timezone.now()
    else:
        consultation, from_status = _change_status(consultation=consultation, action=transitions.CANCEL, by=by)
    consultation.cancellation_reason = reason
    consultation.sequence += 1
    consultation.status_changed_by = by
    consultation.save()
    _record_event(
        consultation=consultation, action=ConsultationEvent.Action.CANCEL, from_status=from_status, by=by, note=reason
    )
    transaction.on_commit(partial(tasks.send_cancelled.enqueue, consultation.pk))
    if by is None:
        transaction.on_commit(partial(tasks.send_change_to_desk.enqueue, consultation.pk))
    _offer_freed_time(consultation)
    return consultation


upload_logger = logging.getLogger(__name__)


class TooManyUploads(Exception):
    """The intake already holds as many uploads as INTAKE_UPLOADS_PER_INTAKE allows."""


def _delete_stored_file(name: str) -> None:
    if not name:
        return
    try:
        Upload.file.field.storage.delete(name)
    except OSError:
        # The name is the upload's token, never the patient's file name.
        upload_logger.exception("Could not delete the stored upload %s", name)


def add_upload(*, intake: Intake, file: UploadedFile, kind: str) -> Upload:
    """Check `file` by its content (a ValidationError saying why if refused) and store it with the intake.

    The file is written before the row, inside this function's own transaction, and deleted again if anything
    fails up to and including the commit. Django has no hook for the rollback of an enclosing transaction, which
    would leave the file behind, so the transaction is durable: calling this inside `atomic()` is an error.
    """
    # Decoding and re-encoding an image takes a while: done before the intake is locked.
    prepared = uploads.prepare_upload(file)
    upload = Upload(
        kind=kind,
        content_type=prepared.content_type,
        size=prepared.size,
        original_name=prepared.original_name,
        sha256=prepared.sha256,
    )
    try:
        with transaction.atomic(durable=True):
            locked = Intake.objects.select_for_update().select_related("consultation").get(pk=intake.pk)
            if intake_workflows.is_locked(locked):
                # Reviewed (or the visit is over) since the page was shown.
                raise intake_workflows.IntakeLocked
            if locked.uploads.count() >= settings.INTAKE_UPLOADS_PER_INTAKE:
                raise TooManyUploads
            upload.intake = locked
            upload.file.save(prepared.content.name, prepared.content, save=False)
            upload.save()
    except BaseException:
        _delete_stored_file(upload.file.name)
        raise
    return upload


@transaction.atomic
def remove_upload(*, upload: Upload, keep_file: bool = False) -> None:
    """Delete the upload's row now and its file once that is committed, so a rollback keeps both.

    `keep_file` leaves the file in place for an earlier version of the intake that still lists it (a report
    removed after submission: see consultations.intake.snapshot)."""
    name = upload.file.name
    upload.delete()
    if not keep_file:
        transaction.on_commit(partial(_delete_stored_file, name))


desk_logger = logging.getLogger("consultations.desk")


@transaction.atomic
def add_time_off(
    *, surgeon: Surgeon, start: datetime, end: datetime, reason: str, by: AbstractBaseUser
) -> tuple[TimeOff, list[Consultation]]:
    """Record time off, even over booked consultations: those are returned so the desk can move each one."""
    time_off = TimeOff.objects.create(surgeon=surgeon, start=start, end=end, reason=reason)
    affected = list(time_off_affects(time_off))
    # Ids only: who did it, never which patients.
    desk_logger.info(
        "Time off %s added for surgeon %s by user %s over %d booked consultations",
        time_off.pk,
        surgeon.slug,
        by.pk,
        len(affected),
    )
    return time_off, affected


@transaction.atomic
def remove_time_off(*, time_off: TimeOff, by: AbstractBaseUser) -> None:
    """Give the times back to patients, and log who did it (ids only) as adding it is logged."""
    desk_logger.info("Time off %s removed for surgeon %s by user %s", time_off.pk, time_off.surgeon.slug, by.pk)
    time_off.delete()


def time_off_affects(time_off: TimeOff) -> ConsultationQuerySet:
    """The consultations still holding their time within `time_off`, with what the desk needs to call them."""
    return (
        Consultation.objects.occupying()
        .filter(surgeon_id=time_off.surgeon_id)
        .overlapping(time_off.start, time_off.end)
        .select_related("patient", "location")
        .order_by("start")
    )


@transaction.atomic
def end_availability_rule(*, rule: AvailabilityRule, last_day: date) -> AvailabilityRule:
    """The weekly clinic stops after `last_day`; earlier weeks keep it, so the record of past clinics stays true."""
    rule = AvailabilityRule.objects.select_for_update().get(pk=rule.pk)
    rule.valid_until = last_day
    rule.save(update_fields=["valid_until"])
    return rule


@transaction.atomic
def record_schedule_export(*, request: HttpRequest, consultations: list[Consultation], what: str) -> None:
    """One access-log row per consultation whose patient's name and phone left the system in a download."""
    role = intake_workflows.role_of(request.user)
    AccessLog.objects.bulk_create(
        intake_workflows.access_entry(
            request=request,
            patient_id=consultation.patient_id,
            consultation=consultation,
            action=AccessLog.Action.EXPORT,
            what=what,
            role=role,
        )
        for consultation in consultations
    )


# The front desk: status changes and their history, proposals, the waitlist and reminders.

REMINDER_BEFORE = timedelta(hours=48)
INTAKE_NUDGE_BEFORE = timedelta(hours=72)
# Consultations that took a slot: the ones holding it now, and the ones that were attended or missed.
BOOKED = (*Consultation.OCCUPYING, Consultation.Status.COMPLETED, Consultation.Status.NO_SHOW)


class TransitionRefused(NotChangeable):
    """The desk's change is not allowed from the consultation's status, or not at this time; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoProposalWaiting(Exception):
    """The patient answered a proposed time that no longer waits for an answer."""


class OfferNotAvailable(Exception):
    """The waitlist offer was taken already, or the patient's consultation can no longer move to it."""


def _when(consultation: Consultation) -> str:
    """The time, surgeon and place in a line for the history, e.g. 'Mon Mar 9, 2026 9:00 AM EDT, Dr ... at ...'."""
    local = consultation.local_start
    return (
        f"{local:%a %b} {local.day}, {local.year} {local.hour % 12 or 12}:{local:%M} "
        f"{'AM' if local.hour < 12 else 'PM'} {local.tzname()}, "
        f"{consultation.surgeon.display_name} at {consultation.location.name}"
    )


def _locked(consultation: Consultation) -> Consultation:
    # Locks the consultation's row only; the surgeon, place and patient come along for the e-mails and history.
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("surgeon", "location", "patient")
        .get(pk=consultation.pk)
    )


def _record_event(
    *, consultation: Consultation, action: str, from_status: str, by: AbstractBaseUser | None, note: str = ""
) -> ConsultationEvent:
    return ConsultationEvent.objects.create(
        consultation=consultation,
        action=action,
        from_status=from_status,
        to_status=consultation.status,
        by=by,
        note=note[:400],
    )


def _queue_email(consultation: Consultation, kind: str, *, offer: WaitlistOffer | None = None) -> SentMessage:
    """Record the e-mail in the messages panel as queued, and send it once the transaction is committed."""
    sent = SentMessage.objects.create(
        consultation=consultation,
        offer=offer,
        kind=kind,
        to=consultation.patient.email,
        regarding_start=consultation.start,
    )
    transaction.on_commit(partial(tasks.send_message.enqueue, sent.pk))
    return sent


def _change_status(*, consultation: Consultation, action: str, by: AbstractBaseUser | None) -> tuple[Consultation, str]:
    """The locked consultation with its new status (not saved yet) and the status it had, or TransitionRefused."""
    consultation = _locked(consultation)
    now = timezone.now()
    refused = transitions.refusal(
        action=action, status=consultation.status, start=consultation.start, now=now, zone=consultation.location.zone
    )
    if refused:
        raise TransitionRefused(refused)
    from_status = consultation.status
    consultation.status = transitions.target(action)
    consultation.status_changed_by, consultation.status_changed_at = by, now
    return consultation, from_status


STATUS_FIELDS = ["status", "status_changed_by", "status_changed_at", "updated_at"]


@transaction.atomic
def confirm_consultation(*, consultation: Consultation, by: AbstractBaseUser) -> Consultation:
    """The desk confirms a request: the patient gets a confirmation whose calendar file updates theirs."""
    consultation, from_status = _change_status(consultation=consultation, action=transitions.CONFIRM, by=by)
    consultation.sequence += 1
    consultation.save(update_fields=[*STATUS_FIELDS, "sequence"])
    _record_event(consultation=consultation, action=ConsultationEvent.Action.CONFIRM, from_status=from_status, by=by)
    _queue_email(consultation, SentMessage.Kind.CONFIRMED)
    return consultation


@transaction.atomic
def decline_consultation(*, consultation: Consultation, by: AbstractBaseUser, reason: str) -> Consultation:
    """The desk declines a request with a reason the patient reads; the freed time goes to the waitlist."""
    if not reason.strip():
        raise ValueError("A declined request needs a reason the patient can read.")
    consultation, from_status = _change_status(consultation=consultation, action=transitions.DECLINE, by=by)
    consultation.cancellation_reason = reason.strip()
    consultation.sequence += 1
    consultation.save(update_fields=[*STATUS_FIELDS, "sequence", "cancellation_reason"])
    _record_event(
        consultation=consultation,
        action=ConsultationEvent.Action.DECLINE,
        from_status=from_status,
        by=by,
        note=consultation.cancellation_reason,
    )
    _queue_email(consultation, SentMessage.Kind.DECLINED)
    _offer_freed_time(consultation)
    return consultation


def _save_status(consultation: Consultation, *, action: str, from_status: str, by: AbstractBaseUser) -> Consultation:
    try:
        with transaction.atomic():
            consultation.save(update_fields=STATUS_FIELDS)
    except IntegrityError as error:
        # Only a no-show checked in after all can take its time back, and someone may hold it by now.
        if is_overlap(error):
            raise TransitionRefused(
                "Another consultation holds this time now, so this one cannot take it back."
            ) from error
        raise
    _record_event(consultation=consultation, action=action, from_status=from_status, by=by)
    return consultation


@transaction.atomic
def check_in_consultation(*, consultation: Consultation, by: AbstractBaseUser) -> Consultation:
    consultation, from_status = _change_status(consultation=consultation, action=transitions.CHECK_IN, by=by)
    return _save_status(consultation, action=ConsultationEvent.Action.CHECK_IN, from_status=from_status, by=by)


@transaction.atomic
def mark_no_show(*, consultation: Consultation, by: AbstractBaseUser) -> Consultation:
    consultation, from_status = _change_status(consultation=consultation, action=transitions.NO_SHOW, by=by)
    return _save_status(consultation, action=ConsultationEvent.Action.NO_SHOW, from_status=from_status, by=by)


@transaction.atomic
def complete_consultation(*, consultation: Consultation, by: AbstractBaseUser) -> Consultation:
    consultation, from_status = _change_status(consultation=consultation, action=transitions.COMPLETE, by=by)
    return _save_status(consultation, action=ConsultationEvent.Action.COMPLETE, from_status=from_status, by=by)


def _move(consultation: Consultation, *, surgeon: Surgeon, slot: slots.Slot, location: Location) -> str:
    """Move the locked consultation to `slot` in one UPDATE: the exclusion constraint refuses a time someone
    else holds (SlotTaken). Returns the move in words, for the history."""
    moved_from = _when(consultation)
    consultation.surgeon, consultation.location = surgeon, location
    consultation.start, consultation.end = slot.start, slot.end
    consultation.sequence += 1
    try:
        with transaction.atomic():
            consultation.save(update_fields=[*STATUS_FIELDS, "surgeon", "location", "start", "end", "sequence"])
    except IntegrityError as error:
        if is_overlap(error):
            raise SlotTaken from error
        raise
    return f"From {moved_from} to {_when(consultation)}"


@transaction.atomic
def propose_another_time(
    *,
    consultation: Consultation,
    surgeon: Surgeon,
    start: datetime,
    location: Location,
    by: AbstractBaseUser,
    note: str = "",
) -> Consultation:
    """Move the consultation to a free time of this or another surgeon, and ask the patient to accept it or
    choose another. The new time is taken and the old one freed in one transaction."""
    consultation, from_status = _change_status(consultation=consultation, action=transitions.PROPOSE, by=by)
    same_place = surgeon.pk == consultation.surgeon_id and location.pk == consultation.location_id
    if same_place and start == consultation.start:
        raise AlreadyAtThatTime
    slot = offered_slot(surgeon, start, location, ignore=consultation)
    moved = _move(consultation, surgeon=surgeon, slot=slot, location=location)
    _record_event(
        consultation=consultation,
        action=ConsultationEvent.Action.PROPOSE,
        from_status=from_status,
        by=by,
        note=f"{moved}. {note}".strip() if note else moved,
    )
    _queue_email(consultation, SentMessage.Kind.PROPOSED)
    return consultation


def proposal_waiting(consultation: Consultation) -> bool:
    """The desk proposed the consultation's time, and the patient has neither answered nor changed it since."""
    latest = consultation.events.last()
    return (
        latest is not None
        and latest.action == ConsultationEvent.Action.PROPOSE
        and consultation.status == Consultation.Status.REQUESTED
        and consultation.start > timezone.now()
    )


@transaction.atomic
def accept_proposal(*, consultation: Consultation) -> Consultation:
    """The patient accepts the time the desk proposed: it is confirmed, and the desk is told."""
    consultation = _locked(consultation)
    if not proposal_waiting(consultation):
        raise NoProposalWaiting
    from_status = consultation.status
    consultation.status = Consultation.Status.CONFIRMED
    consultation.status_changed_by, consultation.status_changed_at = None, timezone.now()
    consultation.sequence += 1
    consultation.save(update_fields=[*STATUS_FIELDS, "sequence"])
    _record_event(consultation=consultation, action=ConsultationEvent.Action.ACCEPT, from_status=from_status, by=None)
    _queue_email(consultation, SentMessage.Kind.CONFIRMED)
    transaction.on_commit(partial(tasks.send_change_to_desk.enqueue, consultation.pk))
    return consultation


@transaction.atomic
def join_waitlist(*, consultation: Consultation) -> WaitlistEntry:
    """The patient wants to hear of an earlier time with the same surgeon. Asking twice changes nothing."""
    entry, created = WaitlistEntry.objects.get_or_create(consultation=consultation)
    if not created and entry.ended_at is not None:
        entry.ended_at = None
        entry.save(update_fields=["ended_at"])
    return entry


def _offer_freed_time(freed: Consultation) -> list[WaitlistOffer]:
    """Offer the time `freed` gave up to everyone waiting for an earlier one with the same surgeon, by e-mail;
    the first to take it gets it. Nothing is offered for a time no longer bookable (past, too soon, time off)."""
    try:
        slot = offered_slot(freed.surgeon, freed.start, freed.location)
    except SlotUnavailable:
        return []
    entries = (
        WaitlistEntry.objects.filter(
            ended_at__isnull=True,
            consultation__surgeon=freed.surgeon_id,
            consultation__status__in=Consultation.CHANGEABLE,
            consultation__start__gt=slot.start,
        )
        .exclude(consultation=freed)
        .select_related("consultation__patient")
    )
    offers = []
    for entry in entries:
        offer, created = WaitlistOffer.objects.get_or_create(
            entry=entry, start=slot.start, defaults={"end": slot.end, "location": freed.location}
        )
        if created:
            _queue_email(entry.consultation, SentMessage.Kind.WAITLIST_OFFER, offer=offer)
            offers.append(offer)
    return offers


@transaction.atomic
def take_waitlist_offer(*, offer: WaitlistOffer) -> Consultation:
    """Move the patient's consultation to the offered time. If another patient took it first, the exclusion
    constraint refuses the move (SlotTaken). The desk confirms the new time, as after any move by the patient."""
    offer = WaitlistOffer.objects.select_for_update(of=("self",)).select_related("entry", "location").get(pk=offer.pk)
    consultation = _locked(offer.entry.consultation)
    if (
        offer.taken_at is not None
        or offer.entry.ended_at is not None
        or not consultation.is_changeable
        or offer.start >= consultation.start
    ):
        raise OfferNotAvailable
    slot = offered_slot(consultation.surgeon, offer.start, offer.location, ignore=consultation)
    from_status = consultation.status
    consultation.status = Consultation.Status.REQUESTED
    consultation.status_changed_by, consultation.status_changed_at = None, timezone.now()
    moved = _move(consultation, surgeon=consultation.surgeon, slot=slot, location=offer.location)
    offer.taken_at = offer.entry.ended_at = consultation.status_changed_at
    offer.save(update_fields=["taken_at"])
    offer.entry.save(update_fields=["ended_at"])
    _record_event(
        consultation=consultation,
        action=ConsultationEvent.Action.TAKE_OFFER,
        from_status=from_status,
        by=None,
        note=moved,
    )
    transaction.on_commit(partial(tasks.send_rescheduled.enqueue, consultation.pk))
    transaction.on_commit(partial(tasks.send_change_to_desk.enqueue, consultation.pk))
    return consultation


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Queue each reminder now due, and return how many: 48 hours before a confirmed consultation, and 72
    hours before one whose history is not sent yet.

    Deliberately not one transaction: each reminder is its own, so that the unique constraint on the message
    log lets exactly one of two runs at the same moment queue it, and the other passes over it."""
    now = now or timezone.now()

    def not_queued(kind: str) -> Exists:
        return ~Exists(
            SentMessage.objects.filter(consultation=OuterRef("pk"), kind=kind, regarding_start=OuterRef("start"))
        )

    upcoming = Consultation.objects.filter(start__gt=now).select_related("patient")
    due = [
        *(
            (consultation, SentMessage.Kind.REMINDER)
            for consultation in upcoming.filter(
                status=Consultation.Status.CONFIRMED, start__lte=now + REMINDER_BEFORE
            ).filter(not_queued(SentMessage.Kind.REMINDER))
        ),
        *(
            (consultation, SentMessage.Kind.INTAKE_NUDGE)
            for consultation in upcoming.filter(
                status__in=Consultation.CHANGEABLE, start__lte=now + INTAKE_NUDGE_BEFORE
            )
            .filter(Q(intake__isnull=True) | Q(intake__status=Intake.Status.IN_PROGRESS))
            .filter(not_queued(SentMessage.Kind.INTAKE_NUDGE))
        ),
    ]
    queued = 0
    for consultation, kind in due:
        try:
            with transaction.atomic():
                _queue_email(consultation, kind)
        except IntegrityError as error:
            if getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") == "sent_message_reminder_once":
                continue  # another run queued it a moment ago
            raise
        queued += 1
    return queued


def slot_use_by_surgeon(surgeon_ids: list[int], *, first_day: date, days: int) -> dict[int, tuple[int, int]]:
    """(booked, offered) slots of each surgeon over local dates, in four queries. A slot is offered whether
    free or booked; booked when a consultation holds it or was attended or missed in it."""
    policy = booking_policy()
    # Seen from before the first day, so days already past still count what they offered.
    before = datetime.combine(first_day, time.min, tzinfo=UTC) - timedelta(hours=14) - policy.min_notice
    free = free_slots_by_surgeon(surgeon_ids, first_day=first_day, days=days, now=before)
    last_day = first_day + timedelta(days=days - 1)
    zones: dict[str, ZoneInfo] = {}
    booked: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for surgeon_id, start, end, zone in Consultation.objects.filter(
        surgeon__in=surgeon_ids,
        status__in=BOOKED,
        start__gte=before,
        start__lt=datetime.combine(last_day, time.max, tzinfo=UTC) + timedelta(hours=14),
    ).values_list("surgeon", "start", "end", "location__timezone"):
        local_day = start.astimezone(zones.get(zone) or zones.setdefault(zone, ZoneInfo(zone))).date()
        if first_day <= local_day <= last_day:
            booked[surgeon_id].append((start, end))
    use = {}
    for surgeon_id in surgeon_ids:
        held = slots.Busy(booked[surgeon_id])
        # Free slots already leave out held times; attended and missed ones are left out here.
        still_free = [slot for slot in free[surgeon_id] if not held.overlaps(slot.start, slot.end)]
        use[surgeon_id] = (len(booked[surgeon_id]), len(booked[surgeon_id]) + len(still_free))
    return use
