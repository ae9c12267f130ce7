"""A consultation's statuses and the actions that change them: the one vocabulary the models, the desk's
transition table and the pages share. Pure: names and labels only, no database.

The statuses follow FHIR Appointment.status: requested (pending), confirmed (booked), checked_in (checked-in),
completed (fulfilled), declined and cancelled (cancelled), no_show (noshow).
"""

from enum import StrEnum


class Status(StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


STATUS_LABELS = {
    Status.REQUESTED: "Requested",
    Status.CONFIRMED: "Confirmed",
    Status.CHECKED_IN: "Checked in",
    Status.COMPLETED: "Completed",
    Status.DECLINED: "Declined",
    Status.CANCELLED: "Cancelled",
    Status.NO_SHOW: "No-show",
}

# These statuses hold their time; the exclusion constraint keeps them from overlapping.
OCCUPYING = (Status.REQUESTED, Status.CONFIRMED, Status.CHECKED_IN)
# The patient may still cancel or move these.
CHANGEABLE = (Status.REQUESTED, Status.CONFIRMED)


class Action(StrEnum):
    """Everything done to a consultation: the desk's actions first, then the patient's."""

    BOOK = "book"
    CONFIRM = "confirm"
    DECLINE = "decline"
    PROPOSE = "propose"
    CANCEL = "cancel"
    CHECK_IN = "check_in"
    NO_SHOW = "no_show"
    COMPLETE = "complete"
    ACCEPT = "accept"
    RESCHEDULE = "reschedule"
    TAKE_OFFER = "take_offer"


# How the consultation's history names each action once done.
ACTION_LABELS = {
    Action.BOOK: "Booked by the desk",
    Action.CONFIRM: "Confirmed",
    Action.DECLINE: "Declined",
    Action.PROPOSE: "Proposed another time",
    Action.CANCEL: "Cancelled",
    Action.CHECK_IN: "Checked in",
    Action.NO_SHOW: "Marked as a no-show",
    Action.COMPLETE: "Completed",
    Action.ACCEPT: "Accepted the proposed time",
    Action.RESCHEDULE: "Chose another time",
    Action.TAKE_OFFER: "Took an earlier time from the waitlist",
}


def choices(names: type[StrEnum], labels: dict) -> list[tuple[str, tuple[str, str]]]:
    """The members with their labels, as Django's functional `TextChoices(name, ...)` takes them."""
    return [(member.name, (member.value, labels[member])) for member in names]
