"""Red-flag symptoms and what to tell someone who has them (DOMAIN.md §3).

Pure data and one function, with no database and no request, so that the education self-check and
the booking intake ask the same questions and give the same advice. Nothing here stores or logs
anything: callers that must keep a record (the intake) do so themselves.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum


class Urgency(IntEnum):
    """Ordered, so the most urgent of several ticked symptoms wins."""

    NONE = 0
    # Possible cancer or fracture (DOMAIN.md §3 D-E): see a doctor today.
    SAME_DAY = 1
    # Possible cauda equina, a worsening nerve problem, infection, or another emergency (§3 A-C, F).
    EMERGENCY = 2


@dataclass(frozen=True)
class RedFlag:
    key: str
    text: str
    urgency: Urgency


@dataclass(frozen=True)
class Question:
    """One group of symptoms, asked as "do any of these apply to you?" with a box per symptom."""

    key: str
    legend: str
    flags: tuple[RedFlag, ...]


E, S = Urgency.EMERGENCY, Urgency.SAME_DAY

QUESTIONS: tuple[Question, ...] = (
    Question(
        key="nerves",
        legend="Any new problems with your bladder, your bowels, or feeling between your legs?",
        flags=(
            RedFlag(
                "saddle_numbness",
                "Numbness or pins and needles between your legs, around your genitals or bottom, "
                "or it feels different when you wipe",
                E,
            ),
            RedFlag(
                "bladder",
                "New trouble starting to pee or holding it in, leaking urine, or not knowing when your bladder is full",
                E,
            ),
            RedFlag("bowel", "New loss of control of your bowels, or not feeling when you pass stool", E),
            RedFlag("sexual", "New loss of feeling in your genitals, or new problems with erection or ejaculation", E),
            RedFlag("both_legs", "Pain, numbness or tingling going down both legs", E),
        ),
    ),
    Question(
        key="weakness_infection",
        legend="Any weakness, spreading numbness, or signs of infection?",
        flags=(
            RedFlag(
                "weakness",
                "New or worsening weakness in a leg or foot (your foot slaps or drags, or your leg gives way), "
                "or it is getting hard to walk",
                E,
            ),
            RedFlag("spreading_numbness", "Numbness in a leg that is spreading or getting worse", E),
            RedFlag("fever", "Fever, chills or night sweats together with back pain", E),
            RedFlag("wound", "A surgery wound that is red, swollen, leaking fluid or opening up", E),
            RedFlag("pain_after_recent_surgery", "New, severe back pain in the 12 weeks after spine surgery", E),
            RedFlag(
                "infection_risk",
                "Back pain and you inject drugs, take medicine that weakens your immune system, "
                "or recently had an infection such as a urine or blood infection",
                E,
            ),
        ),
    ),
    Question(
        key="other",
        legend="Any of these other warning signs?",
        flags=(
            RedFlag("tearing_pain", "Sudden, severe, tearing pain in your back or belly, or chest pain", E),
            RedFlag("fluid_leak", "A new headache since surgery, with clear fluid leaking from the wound", E),
            RedFlag("cancer", "You have had cancer, and this back pain is new or getting worse", S),
            RedFlag("weight_loss", "You are losing weight without trying", S),
            RedFlag("night_pain", "Constant pain at rest or at night that lying down does not ease", S),
            RedFlag("new_pain_over_50", "You are over 50 and this back pain is new", S),
            RedFlag(
                "injury",
                "A recent bad fall or accident, or a smaller fall or knock if you have thin bones (osteoporosis), "
                "take steroid medicine long term, or are over 70",
                S,
            ),
        ),
    ),
)

FLAGS: dict[str, RedFlag] = {flag.key: flag for question in QUESTIONS for flag in question.flags}

EMERGENCY_HEADLINE = "These symptoms can be a medical emergency."
EMERGENCY_ACTION = (
    "Call 911 (or your local emergency number) or go to the nearest emergency department now. "
    "Do not wait for an appointment."
)
DO_NOT_DRIVE = "If your legs are weak or numb, do not drive yourself: call 911 or have someone take you."
CALL_YOUR_SURGEON_NOW = (
    "Because you had spine surgery recently, also call the surgeon who operated on you, or their on-call line, now."
)

SAME_DAY_HEADLINE = "These symptoms need a doctor's attention today."
SAME_DAY_ACTION = (
    "Contact your primary care doctor or an urgent care clinic today. If the pain is severe, you feel very unwell, "
    "or it gets worse quickly, go to the nearest emergency department or call 911."
)
CALL_YOUR_SURGEON_TODAY = "Because you had spine surgery recently, also tell the surgeon who operated on you today."

CANNOT_ASSESS = "This website cannot assess emergencies or tell you what is causing your symptoms."


@dataclass(frozen=True)
class Advice:
    """What to show someone, given the symptoms they ticked."""

    urgency: Urgency
    flags: tuple[RedFlag, ...]
    headline: str = ""
    instructions: tuple[str, ...] = ()

    @property
    def is_urgent(self) -> bool:
        return self.urgency > Urgency.NONE

    @property
    def is_emergency(self) -> bool:
        return self.urgency == Urgency.EMERGENCY

    @property
    def emergency_flags(self) -> tuple[RedFlag, ...]:
        """The ticked symptoms that make this an emergency: the only ones a patient may vouch for to go on."""
        return tuple(flag for flag in self.flags if flag.urgency == Urgency.EMERGENCY)

    @property
    def needs_acknowledgement(self) -> bool:
        """Booking may go on only after the person confirms they read same-day advice (DOMAIN.md §3)."""
        return self.urgency == Urgency.SAME_DAY


def classify(ticked: Iterable[str], *, recent_surgery: bool = False) -> Advice:
    """The advice for these red-flag keys; `recent_surgery` means spine surgery in the last 12 weeks.

    An unknown key is a programming error, not a patient's answer, so it raises `KeyError`.
    """
    flags = tuple(FLAGS[key] for key in dict.fromkeys(ticked))
    urgency = max((flag.urgency for flag in flags), default=Urgency.NONE)
    if urgency == Urgency.EMERGENCY:
        instructions = (EMERGENCY_ACTION, DO_NOT_DRIVE)
        if recent_surgery:
            instructions += (CALL_YOUR_SURGEON_NOW,)
        return Advice(urgency, flags, EMERGENCY_HEADLINE, (*instructions, CANNOT_ASSESS))
    if urgency == Urgency.SAME_DAY:
        instructions = (SAME_DAY_ACTION,)
        if recent_surgery:
            instructions += (CALL_YOUR_SURGEON_TODAY,)
        return Advice(urgency, flags, SAME_DAY_HEADLINE, (*instructions, CANNOT_ASSESS))
    return Advice(urgency, flags)
