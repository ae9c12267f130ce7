from django import forms

from consultations.booking import red_flags
from consultations.booking.forms import RedFlagForm

MAX_QUERY_LENGTH = 200
# NUL cannot be stored in PostgreSQL text, and the private-use marks are our own snippet markers.
_UNSEARCHABLE = dict.fromkeys(map(ord, "\x00\ue000\ue001"), " ")
CHECK = {"class": "form-check-input"}


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search articles",
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "class": "form-control", "maxlength": MAX_QUERY_LENGTH, "autocomplete": "off"}
        ),
    )

    def clean_q(self) -> str:
        text = " ".join(self.cleaned_data["q"].translate(_UNSEARCHABLE).split())
        self.shortened = len(text) > MAX_QUERY_LENGTH
        return text[:MAX_QUERY_LENGTH].strip()


class Surgery:
    NONE = "none"
    RECENT = "recent"
    EARLIER = "earlier"
    CHOICES = [
        (NONE, "No"),
        (RECENT, "Yes, in the last 12 weeks"),
        (EARLIER, "Yes, more than 12 weeks ago"),
    ]


class SelfCheckForm(RedFlagForm):
    """Five plain questions plus the red-flag symptoms. Every answer is optional, and none is kept."""

    surgery = forms.ChoiceField(
        label="Have you had an operation on your spine?",
        choices=Surgery.CHOICES,
        widget=forms.RadioSelect(attrs=CHECK),
        required=False,
    )
    duration = forms.ChoiceField(
        label="How long have you had the pain you have now?",
        choices=[
            ("short", "Less than 6 weeks"),
            ("medium", "6 weeks to 3 months"),
            ("long", "More than 3 months"),
        ],
        widget=forms.RadioSelect(attrs=CHECK),
        required=False,
    )
    where = forms.ChoiceField(
        label="Where is the pain worst?",
        choices=[
            ("leg", "Mostly in my leg or legs"),
            ("back", "Mostly in my back"),
            ("both", "About the same in both"),
            ("unsure", "I am not sure"),
        ],
        widget=forms.RadioSelect(attrs=CHECK),
        required=False,
    )
    tried = forms.MultipleChoiceField(
        label="What have you tried for this pain? Tick all that apply.",
        choices=[
            ("therapy", "Physical therapy or a guided exercise program"),
            ("injections", "Spinal injections"),
            ("medicine", "Pain medicine"),
            ("nothing", "None of these yet"),
        ],
        widget=forms.CheckboxSelectMultiple(attrs=CHECK),
        required=False,
    )

    @property
    def history_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("surgery", "duration", "where", "tried")]

    def advice(self) -> red_flags.Advice:
        """What the ticked symptoms call for, whatever else fails validation."""
        return red_flags.classify(self.ticked(), recent_surgery=self.data.get("surgery") == Surgery.RECENT)

    def suggested_slugs(self) -> list[str]:
        """Articles worth reading given the answers, most specific first. Call after `is_valid()`."""
        answers = self.cleaned_data
        surgery, where, tried = answers.get("surgery"), answers.get("where"), answers.get("tried") or []
        had_surgery = surgery in (Surgery.RECENT, Surgery.EARLIER)
        slugs = ["pain-after-back-surgery", "why-pain-continues-after-surgery"] if had_surgery else []
        if surgery == Surgery.RECENT:
            slugs.append("warning-signs-after-spine-surgery")
        if where == "leg":
            slugs += ["endoscopic-discectomy", "microdiscectomy"]
            if had_surgery and answers.get("duration") == "long":
                slugs.append("spinal-cord-stimulation")
        elif where == "back":
            slugs += ["mi-tlif", "si-joint-fusion"]
        if not had_surgery:
            slugs.append("minimally-invasive-spine-surgery")
        if "therapy" not in tried and "injections" not in tried:
            slugs.append("treatments-before-surgery")
        return [*slugs[:5], "prepare-for-your-consultation"]
