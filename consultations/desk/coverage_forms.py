"""The desk's form for the check of a patient's insurance."""

from django import forms

from consultations.models import Coverage


class CoverageCheckForm(forms.Form):
    verification = forms.ChoiceField(
        label="Insurance",
        choices=[
            (Coverage.Verification.VERIFIED, "Verified with the insurance company"),
            (Coverage.Verification.PROBLEM, "Problem"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose “Verified” or “Problem”."},
    )
    note = forms.CharField(
        label="Note",
        max_length=300,
        required=False,
        help_text="Needed for a problem: what is wrong and what the patient must do. Staff only.",
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("verification") == Coverage.Verification.PROBLEM and not data.get("note", "").strip():
            self.add_error("note", "Say what the problem is, for example: the plan does not cover this visit.")
        return data
