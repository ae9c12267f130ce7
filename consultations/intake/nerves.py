"""The nerves step's forms: weakness by movement and side, numbness on the body map, walking, balance and falls,
and the usual bladder and bowel function (DOMAIN.md §1 item 4). Each refuses what a patient can get wrong with a
message saying what to change; the database keeps the same limits (models.nerves)."""

from django import forms

from consultations.intake.forms import BodyMapForm, IntakeStepForm, number_field
from consultations.models import Intake
from consultations.models.answers import Answer
from consultations.models.nerves import (
    MAX_FALLS,
    MAX_WALKING_BLOCKS,
    MAX_WALKING_MINUTES,
    WEAKNESS_MOVEMENTS,
    BladderBowel,
    Side,
    Walking,
)

# The movements in a patient's words; the surgeon reads their clinical names (models.nerves.WEAKNESS_MOVEMENTS).
WEAKNESS_QUESTIONS = {
    "weak_hip_flexion": "Lifting your thigh, as when you climb a stair",
    "weak_knee_extension": "Straightening your knee, or your knee gives way",
    "weak_ankle_dorsiflexion": "Lifting your foot up at the ankle: your foot drags, catches or slaps when you walk",
    "weak_toe_extension": "Lifting your big toe up",
    "weak_plantar_flexion": "Standing or pushing up on your tiptoes",
}


class NumbnessMapForm(BodyMapForm):
    none_label = "None here"


class NervesForm(IntakeStepForm):
    also_saves = ("numbness_map",)

    walking_blocks = number_field(
        "About how many blocks can you walk before you have to stop?",
        low=0,
        high=MAX_WALKING_BLOCKS,
        message=f"Please give the blocks as a whole number from 0 to {MAX_WALKING_BLOCKS}. If you can walk "
        "further than that, choose “My legs do not stop me walking”.",
    )
    walking_minutes = number_field(
        "Or, about how many minutes can you walk before you have to stop?",
        low=0,
        high=MAX_WALKING_MINUTES,
        message=f"Please give the minutes as a whole number from 0 to {MAX_WALKING_MINUTES} (4 hours). If you can "
        "walk longer than that, choose “My legs do not stop me walking”.",
    )
    falls_last_year = number_field(
        "How many times have you fallen in the last 12 months?",
        low=0,
        high=MAX_FALLS,
        message=f"Please give the number of falls as a whole number from 0 to {MAX_FALLS}.",
        help_text="Write 0 if you have not fallen.",
    )

    class Meta:
        model = Intake
        fields = [
            *(column for column, _ in WEAKNESS_MOVEMENTS),
            "numbness",
            "walking",
            "walking_blocks",
            "walking_minutes",
            "walking_eased_by_bending",
            "balance_problems",
            "falls_last_year",
            "bladder_bowel",
            "bladder_bowel_detail",
        ]
        labels = {
            **WEAKNESS_QUESTIONS,
            "numbness": "Do you have numbness, tingling or “pins and needles” (apart from pain)?",
            "walking": "When you walk, do leg symptoms make you stop?",
            "walking_eased_by_bending": "Does bending forward (for example leaning on a shopping cart) or sitting "
            "down ease your legs?",
            "balance_problems": "Do you have problems with your balance?",
            "bladder_bowel": "How do your bladder and bowels usually work?",
            "bladder_bowel_detail": "If you have a long-standing problem, what is it, and who checked it?",
        }
        widgets = {
            **{column: forms.RadioSelect for column, _ in WEAKNESS_MOVEMENTS},
            "numbness": forms.RadioSelect,
            "walking": forms.RadioSelect,
            "walking_eased_by_bending": forms.RadioSelect,
            "balance_problems": forms.RadioSelect,
            "bladder_bowel": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for column, _ in WEAKNESS_MOVEMENTS:
            self.fields[column].choices = Side.choices
        for name in ("numbness", "walking_eased_by_bending", "balance_problems"):
            self.fields[name].choices = Answer.choices
        self.fields["walking"].choices = Walking.choices
        self.fields["bladder_bowel"].choices = BladderBowel.choices
        self.areas: NumbnessMapForm | None = None

    @property
    def weakness(self) -> list[forms.BoundField]:
        return [self[column] for column, _ in WEAKNESS_MOVEMENTS]

    def clean(self) -> dict:
        data = super().clean()
        blocks, minutes = data.get("walking_blocks"), data.get("walking_minutes")
        walking = data.get("walking")
        if (blocks is not None or minutes is not None) and "walking" not in self.errors:
            if not walking:
                # A distance or a time answers the question: the legs do stop the patient.
                data["walking"] = Walking.LIMITED
            elif walking != Walking.LIMITED:
                self.add_error(
                    "walking",
                    f"You chose “{Walking(walking).label}” and also gave how far you can walk. Please clear the "
                    f"blocks and minutes, or choose “{Walking.LIMITED.label}”.",
                )
        detail = data.get("bladder_bowel_detail", "").strip()
        data["bladder_bowel_detail"] = detail
        if detail and data.get("bladder_bowel") != BladderBowel.KNOWN_PROBLEM and "bladder_bowel" not in self.errors:
            self.add_error(
                "bladder_bowel",
                f"You described a problem: please choose “{BladderBowel.KNOWN_PROBLEM.label}”, or clear the note.",
            )
        return data

    def check_against(self, areas: NumbnessMapForm) -> None:
        """The numbness answer and the areas marked on the map must agree; the map is saved with this form."""
        self.areas = areas
        if not self.is_valid() or not areas.is_valid():
            return
        numb, marked = self.cleaned_data.get("numbness"), areas.marked()
        if numb == Answer.YES and not marked:
            self.add_error(
                "numbness",
                "You said you have numbness or tingling: please mark at least one place on the map below where "
                "you feel it, or choose “Not sure”.",
            )
        elif marked and numb != Answer.YES:
            self.add_error(
                "numbness",
                "You marked places on the map below: please answer “Yes” here, or set those places back to "
                "“None here”.",
            )

    def save(self, commit: bool = True) -> Intake:
        numb = self.cleaned_data.get("numbness") == Answer.YES
        self.instance.numbness_map = self.areas.body_map() if numb and self.areas is not None else {}
        return super().save(commit)
