"""Which status changes the front desk may make, and the reason a refused one is refused. No database.

The statuses follow FHIR Appointment.status: requested (pending), confirmed (booked), checked_in (checked-in),
completed (fulfilled), declined and cancelled (cancelled), no_show (noshow).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from consultations.models.scheduling import Consultation

Status = Consultation.Status

CONFIRM, DECLINE, PROPOSE, CANCEL = "confirm", "decline", "propose", "cancel"
CHECK_IN, NO_SHOW, COMPLETE = "check_in", "no_show", "complete"

# action: (the statuses it may start from, the status it leads to)
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    CONFIRM: ((Status.REQUESTED,), Status.CONFIRMED),
    DECLINE: ((Status.REQUESTED,), Status.DECLINED),
    # A proposed time waits for the patient's answer, as a request does (FHIR: pending).
    PROPOSE: ((Status.REQUESTED, Status.CONFIRMED), Status.REQUESTED),
    CANCEL: ((Status.REQUESTED, Status.CONFIRMED), Status.CANCELLED),
    # From no-show too: a patient marked absent who arrives late is checked in after all.
    CHECK_IN: ((Status.CONFIRMED, Status.NO_SHOW), Status.CHECKED_IN),
    NO_SHOW: ((Status.CONFIRMED,), Status.NO_SHOW),
    COMPLETE: ((Status.CHECKED_IN,), Status.COMPLETED),
}

# The same table read by status, for the desk's buttons and for the tests.
TRANSITIONS: dict[str, set[str]] = {status: set() for status in Status.values}
for _action, (_sources, _target) in ACTIONS.items():
    for _source in _sources:
        TRANSITIONS[_source].add(_target)

# For messages: "A completed consultation cannot be declined."
DONE = {
    CONFIRM: "confirmed",
    DECLINE: "declined",
    PROPOSE: "moved to another time",
    CANCEL: "cancelled",
    CHECK_IN: "checked in",
    NO_SHOW: "marked as a no-show",
    COMPLETE: "marked as completed",
}
LABELS = {
    CONFIRM: "Confirm",
    DECLINE: "Decline",
    PROPOSE: "Propose another time",
    CANCEL: "Cancel",
    CHECK_IN: "Check in",
    NO_SHOW: "No-show",
    COMPLETE: "Complete",
}


def target(action: str) -> str:
    return ACTIONS[action][1]


def refusal(*, action: str, status: str, start: datetime, now: datetime, zone: ZoneInfo) -> str | None:
    """Why `action` may not be done to a consultation in `status` starting at `start`; None when it may."""
    if action not in ACTIONS:
        return "That is not something the front desk can do to a consultation."
    sources, _ = ACTIONS[action]
    if status not in sources:
        label = Status(status).label.lower()
        article = "An" if label[0] in "aeiou" else "A"
        return f"{article} {label} consultation cannot be {DONE[action]}."
    started = start <= now
    if action in (CONFIRM, DECLINE, PROPOSE) and started:
        return f"This consultation's time has passed, so it cannot be {DONE[action]}."
    # A stale request may still be cleared away; a confirmed visit whose time came was attended or missed.
    if action == CANCEL and started and status == Status.CONFIRMED:
        return "This consultation's time has come: check the patient in or mark a no-show instead of cancelling."
    if action == NO_SHOW and not started:
        return "A patient can be marked as a no-show only once the consultation's time has come."
    if action == CHECK_IN and start.astimezone(zone).date() > now.astimezone(zone).date():
        return "A patient can be checked in on the day of the consultation, not before."
    return None


def available(*, status: str, start: datetime, now: datetime, zone: ZoneInfo) -> list[str]:
    """The actions the desk may take now, in the order the buttons show them."""
    return [
        action for action in ACTIONS if refusal(action=action, status=status, start=start, now=now, zone=zone) is None
    ]
