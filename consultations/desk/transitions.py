"""Which status changes the front desk may make, what each is called on its button and in the message after
it, and the reason a refused one is refused. Pure: the vocabulary comes from `consultations.lifecycle`, and no
database or model is imported here.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from consultations.lifecycle import STATUS_LABELS, Action, Status


@dataclass(frozen=True)
class Transition:
    sources: tuple[Status, ...]  # the statuses it may start from
    target: Status  # the status it leads to
    button: str
    done: str  # "A completed consultation cannot be {done}."
    # What the desk is told once it is done, with the patient's name and the time; None where the action has a
    # page of its own (proposing a time) that says it.
    told: str | None


CONFIRM, DECLINE, PROPOSE, CANCEL = Action.CONFIRM, Action.DECLINE, Action.PROPOSE, Action.CANCEL
CHECK_IN, NO_SHOW, COMPLETE = Action.CHECK_IN, Action.NO_SHOW, Action.COMPLETE

# In the order the buttons show them.
ACTIONS: dict[Action, Transition] = {
    CONFIRM: Transition(
        (Status.REQUESTED,),
        Status.CONFIRMED,
        "Confirm",
        "confirmed",
        "Confirmed {name}, {when}. The patient gets a confirmation e-mail with the calendar entry.",
    ),
    DECLINE: Transition(
        (Status.REQUESTED,),
        Status.DECLINED,
        "Decline",
        "declined",
        "Declined the request of {name} for {when}. The patient gets an e-mail with your reason.",
    ),
    # A proposed time waits for the patient's answer, as a request does (FHIR: pending).
    PROPOSE: Transition(
        (Status.REQUESTED, Status.CONFIRMED), Status.REQUESTED, "Propose another time", "moved to another time", None
    ),
    CANCEL: Transition(
        (Status.REQUESTED, Status.CONFIRMED),
        Status.CANCELLED,
        "Cancel",
        "cancelled",
        "Cancelled {name}, {when}. The patient gets an e-mail.",
    ),
    # From no-show too: a patient marked absent who arrives late is checked in after all.
    CHECK_IN: Transition(
        (Status.CONFIRMED, Status.NO_SHOW), Status.CHECKED_IN, "Check in", "checked in", "Checked in {name} ({when})."
    ),
    NO_SHOW: Transition(
        (Status.CONFIRMED,), Status.NO_SHOW, "No-show", "marked as a no-show", "Marked {name} as a no-show ({when})."
    ),
    COMPLETE: Transition(
        (Status.CHECKED_IN,), Status.COMPLETED, "Complete", "marked as completed", "Completed: {name} ({when})."
    ),
}

# The same table read by status, for the tests and anyone asking where a status can lead.
TRANSITIONS: dict[str, set[str]] = {status: set() for status in Status}
for _transition in ACTIONS.values():
    for _source in _transition.sources:
        TRANSITIONS[_source].add(_transition.target)


def target(action: str) -> Status:
    return ACTIONS[action].target


def refusal(*, action: str, status: str, start: datetime, now: datetime, zone: ZoneInfo) -> str | None:
    """Why `action` may not be done to a consultation in `status` starting at `start`; None when it may."""
    if action not in ACTIONS:
        return "That is not something the front desk can do to a consultation."
    transition = ACTIONS[action]
    if status not in transition.sources:
        label = STATUS_LABELS[Status(status)].lower()
        article = "An" if label[0] in "aeiou" else "A"
        return f"{article} {label} consultation cannot be {transition.done}."
    started = start <= now
    if action in (CONFIRM, DECLINE, PROPOSE) and started:
        return f"This consultation's time has passed, so it cannot be {transition.done}."
    # A stale request may still be cleared away; a confirmed visit whose time came was attended or missed.
    if action == CANCEL and started and status == Status.CONFIRMED:
        return "This consultation's time has come: check the patient in or mark a no-show instead of cancelling."
    if action == NO_SHOW and not started:
        return "A patient can be marked as a no-show only once the consultation's time has come."
    if action == CHECK_IN and start.astimezone(zone).date() > now.astimezone(zone).date():
        return "A patient can be checked in on the day of the consultation, not before."
    return None


def available(*, status: str, start: datetime, now: datetime, zone: ZoneInfo) -> list[Action]:
    """The actions the desk may take now, in the order the buttons show them."""
    return [
        action for action in ACTIONS if refusal(action=action, status=status, start=start, now=now, zone=zone) is None
    ]
