"""The surgeon's one-screen summary of an intake, in the order a spine surgeon reads it (issue #8).

Everything is loaded in a fixed number of queries, however many operations, medicines or earlier histories the
patient has; the labelled rows come from intake.display, so "Not answered" reads the same as on the patient's
own check page.
"""

from dataclasses import dataclass, field, replace
from datetime import date

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.utils import timezone

from consultations.booking.red_flags import FLAGS
from consultations.intake.display import (
    NOT_ANSWERED,
    Row,
    Section,
    TimelineEntry,
    compact,
    operations_timeline,
    pain_map_row,
    sections,
    since_last_operation,
)
from consultations.intake.neuro import neuro_deficits
from consultations.intake.questionnaires import FUNCTION, MOOD, PAIN, definition_of, response_rows
from consultations.intake.risks import IN_RISK_BOX, RiskRow, risk_rows
from consultations.intake.screens import MoodScreen, mood_screen
from consultations.models import (
    BookingDetails,
    Consultation,
    InformationRequest,
    Intake,
    IntakeReview,
    QuestionnaireResponse,
    RedFlagScreen,
    Referral,
    Upload,
)
from consultations.review.scores import FunctionScore, ScorePoint, function_score, intake_date

PAIN_SITES = (("back", "Back"), ("leg", "Leg"))
PAIN_TIMES = (("now", "Now"), ("average", "Usual day"), ("worst", "Worst"))
SUBMITTED = (Intake.Status.COMPLETED, Intake.Status.AMENDED)


def related(instance: object, name: str) -> object | None:
    """A reverse one-to-one loaded with select_related, or None when there is none."""
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


@dataclass(frozen=True)
class RedFlags:
    screen: RedFlagScreen | None
    safety_flag: str
    safety_flag_label: str
    items: list[str]
    # The emergency symptoms the patient vouched for to book past the emergency advice, as worded on the screen.
    acknowledged: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.safety_flag) or (self.screen is not None and self.screen.urgency > 0)


@dataclass(frozen=True)
class PainGrid:
    columns: list[str]
    # (site, [now, average, worst]) with "7 / 10" or "Not answered"
    rows: list[tuple[str, list[str]]]
    # Whether the back or the leg hurts more (DOMAIN.md §1.3: it matters for the procedure and for a stimulator).
    dominance: str = ""


def dominance(answers: dict) -> str:
    """Back- or leg-dominant pain, from the usual day's scores (the patient's "now" when the usual day is blank),
    with the numbers it rests on."""
    for time, words in (("average", "usual day"), ("now", "now")):
        back, leg = answers.get(f"back_{time}"), answers.get(f"leg_{time}")
        if back is None or leg is None:
            continue
        if leg > back:
            return f"Leg-dominant: leg {leg}, back {back} ({words})"
        if back > leg:
            return f"Back-dominant: back {back}, leg {leg} ({words})"
        return f"Back and leg alike: both {back} ({words})"
    return "Back or leg dominant: not answered"


@dataclass(frozen=True)
class EarlierIntake:
    intake: Intake
    when: date
    score: ScorePoint | None


@dataclass
class Summary:
    consultation: Consultation
    intake: Intake | None
    red_flags: RedFlags
    # The "Before planning surgery" box: one row per factor, each yes, no or not answered.
    risks: list[RiskRow] = field(default_factory=list)
    review: IntakeReview | None = None
    sections: dict[str, Section] = field(default_factory=dict)
    pain: PainGrid | None = None
    # The pain questionnaire's own rows, when its items do not fit the back-and-leg grid.
    pain_rows: list[Row] = field(default_factory=list)
    # Weakness, numbness, walking, falls and the usual bladder function, for the first screen.
    neuro: list[Row] = field(default_factory=list)
    function: FunctionScore | None = None
    # The psychological screen (surgeon only, never the desk); None when not answered.
    mood: MoodScreen | None = None
    timeline: list[TimelineEntry] = field(default_factory=list)
    since_surgery: list[Row] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    questions: list[InformationRequest] = field(default_factory=list)
    earlier: list[EarlierIntake] = field(default_factory=list)
    # The clinician who sent the patient; the surgeon sees who referred, never the patient's insurance.
    referral: Referral | None = None
    # Sex, language and interpreter, state, primary care clinician (None for a request from before they were asked).
    booking_details: BookingDetails | None = None

    @property
    def has_flagged_risk(self) -> bool:
        return any(risk.flagged for risk in self.risks)

    @property
    def shows_mme(self) -> bool:
        """A daily MME figure is in the risk box, so the box says what the figure is (and is not)."""
        return any("MME/day" in risk.detail for risk in self.risks)

    @property
    def age(self) -> int:
        return self.consultation.patient.age_on(timezone.localdate())


def red_flags_of(consultation: Consultation) -> RedFlags:
    screen = related(consultation, "red_flag_screen")
    items = [FLAGS[key].text if key in FLAGS else key for key in (screen.items if screen else [])]
    acknowledged = [FLAGS[key].text if key in FLAGS else key for key in (screen.acknowledged_items if screen else [])]
    return RedFlags(
        screen=screen,
        safety_flag=consultation.safety_flag,
        safety_flag_label=consultation.get_safety_flag_display() if consultation.safety_flag else "",
        items=items,
        acknowledged=acknowledged,
    )


def earlier_intakes(consultation: Consultation, intake: Intake | None) -> QuerySet:
    """The same patient's histories sent before this one (before this visit, when there is no history yet)."""
    earlier = Intake.objects.filter(patient_id=consultation.patient_id, status__in=SUBMITTED).exclude(
        consultation=consultation
    )
    if intake is not None:
        return earlier.filter(created_at__lt=intake.created_at)
    return earlier.filter(consultation__start__lt=consultation.start)


def visible_intakes(consultation: Consultation) -> QuerySet:
    """Histories a surgeon may open from this consultation: its own and the patient's earlier ones."""
    intake = related(consultation, "intake")
    return Intake.objects.filter(
        Q(consultation=consultation) | Q(pk__in=earlier_intakes(consultation, intake).values("pk"))
    )


def _latest(responses: list[QuestionnaireResponse], purpose: str) -> QuestionnaireResponse | None:
    matching = [response for response in responses if response.instrument.purpose == purpose]
    return max(matching, key=lambda response: (response.updated_at, response.pk), default=None)


def pain_grid(response: QuestionnaireResponse | None) -> PainGrid | None:
    """Back and leg pain now, on a usual day and at worst; None when the instrument has other items."""
    columns = [label for _, label in PAIN_TIMES]
    if response is None:
        return PainGrid(columns, [(label, [NOT_ANSWERED] * len(PAIN_TIMES)) for _, label in PAIN_SITES], dominance({}))
    items = {item.id: item for item in definition_of(response.instrument).items}
    ids = [f"{site}_{time}" for site, _ in PAIN_SITES for time, _ in PAIN_TIMES]
    if not set(ids) <= set(items):
        return None
    rows = []
    for site, label in PAIN_SITES:
        values = []
        for time, _ in PAIN_TIMES:
            item_id = f"{site}_{time}"
            value = response.answers.get(item_id)
            values.append(NOT_ANSWERED if value is None else f"{value} / {max(items[item_id].values)}")
        rows.append((label, values))
    return PainGrid(columns, rows, dominance(response.answers))


def _compact_sections(all_sections: list[Section]) -> dict[str, Section]:
    """The sections by slug, without what the risk box shows, the long ones with their skipped questions
    gathered in one row."""
    by_slug = {section.slug: section for section in all_sections}
    for slug, labels in IN_RISK_BOX.items():
        by_slug[slug] = replace(by_slug[slug], rows=[row for row in by_slug[slug].rows if row.label not in labels])
    medications = by_slug["medications"]
    others = [item for item in medications.items if not item[0].notable]
    by_slug["medications"] = replace(
        medications,
        items=others,
        empty_items="No other medicines listed; opioids and blood thinners are in the risk box."
        if len(others) < len(medications.items)
        else medications.empty_items,
    )
    for slug in ("history", "treatments", "health"):
        by_slug[slug] = replace(by_slug[slug], rows=compact(by_slug[slug].rows))
    by_slug["pain"] = replace(by_slug["pain"], rows=[pain_map_row(by_slug["pain"].rows)])
    return by_slug


def summary_for(consultation: Consultation) -> Summary:
    """The summary of `consultation`, loaded with its patient, location, intake, review, red-flag screen and
    referral (see `Consultation.objects.for_surgeon_user` and the views)."""
    intake: Intake | None = related(consultation, "intake")
    red_flags = red_flags_of(consultation)
    earlier = list(
        earlier_intakes(consultation, intake)
        .select_related("consultation__surgeon", "consultation__location")
        .order_by("-created_at")
    )
    scored = list(
        QuestionnaireResponse.objects.filter(
            Q(intake__in=[row.pk for row in earlier]) | Q(intake=intake),
            instrument__purpose=FUNCTION,
            score__isnull=False,
        )
        .select_related("intake", "instrument")
        .order_by("intake__created_at", "pk")
    )
    if intake is None:
        summary = Summary(
            consultation=consultation,
            intake=None,
            red_flags=red_flags,
        )
    else:
        operations = list(intake.operations.all())
        medications = list(intake.medications.all())
        treatments = list(intake.treatments.all())
        responses = list(intake.responses.select_related("instrument"))
        pain = _latest(responses, PAIN)
        summary = Summary(
            consultation=consultation,
            intake=intake,
            red_flags=red_flags,
            risks=risk_rows(
                intake,
                medications=medications,
                operations=operations,
                treatments=treatments,
                mood=_latest(responses, MOOD),
            ),
            review=related(intake, "review"),
            sections=_compact_sections(
                sections(
                    intake,
                    operations=operations,
                    treatments=treatments,
                    medications=medications,
                    imaging=list(intake.imaging.all()),
                    responses={},
                )
            ),
            pain=pain_grid(pain),
            pain_rows=response_rows(pain.instrument, pain, clinician=True) if pain is not None else [],
            neuro=neuro_deficits(intake),
            function=function_score(_latest(responses, FUNCTION), scored, intake_id=intake.pk),
            mood=mood_screen(_latest(responses, MOOD)),
            timeline=[replace(entry, rows=compact(entry.rows)) for entry in operations_timeline(operations)],
            since_surgery=since_last_operation(
                operations, pain_returned=intake.pain_returned, today=timezone.localdate()
            ),
            uploads=list(intake.uploads.all()),
            questions=list(intake.information_requests.select_related("asked_by")),
        )
    if intake is None:
        summary.function = function_score(None, scored, intake_id=None)
    by_intake = {point.intake_id: point for point in (summary.function.history if summary.function else [])}
    summary.earlier = [EarlierIntake(row, intake_date(row), by_intake.get(row.pk)) for row in earlier]
    summary.referral = related(consultation, "referral")
    summary.booking_details = related(consultation, "booking_details")
    return summary


@dataclass
class EarlierSummary:
    """An earlier history, read-only, as the patient's own check page lays it out."""

    intake: Intake
    when: date
    red_flags: RedFlags
    review: IntakeReview | None
    sections: list[Section]
    uploads: list[Upload]


def earlier_summary_for(intake: Intake) -> EarlierSummary:
    """`intake` loaded with consultation__surgeon, consultation__location, consultation__red_flag_screen, review."""
    responses = list(intake.responses.select_related("instrument"))
    rows = {}
    for purpose in (PAIN, FUNCTION, MOOD):
        response = _latest(responses, purpose)
        if response is not None:
            rows[purpose] = response_rows(response.instrument, response, clinician=True)
        else:
            rows[purpose] = [Row("Questionnaire", NOT_ANSWERED)]
    return EarlierSummary(
        intake=intake,
        when=intake_date(intake),
        red_flags=red_flags_of(intake.consultation),
        review=related(intake, "review"),
        sections=sections(
            intake,
            operations=list(intake.operations.all()),
            treatments=list(intake.treatments.all()),
            medications=list(intake.medications.all()),
            imaging=list(intake.imaging.all()),
            responses=rows,
        ),
        uploads=list(intake.uploads.all()),
    )
