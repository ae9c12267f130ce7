"""The insurance and referral questions of a request, asked the same way online and by the desk: how the
consultation is paid for (insurance, self-pay or not sure yet), the insurance card's details and photos, and the
clinician who referred the patient, with their letter. Every question but the first may be left empty."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from clinic.npi import validate_npi
from consultations.booking.coverage import CoverageDetails, ReferralDetails
from consultations.fields import DateInput, check_phone
from consultations.models import Coverage, Upload

DOCUMENT_ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
# The form's file fields and the kind each is kept as.
DOCUMENT_FIELDS = {
    "card_front": Upload.Kind.INSURANCE_CARD_FRONT,
    "card_back": Upload.Kind.INSURANCE_CARD_BACK,
    "referral_letter": Upload.Kind.REFERRAL_LETTER,
}
INSURANCE_FIELDS = ("payer", "plan", "member_id", "group_number", "card_front", "card_back")
REFERRAL_FIELDS = ("referral_practice", "referral_phone", "referral_npi", "referral_letter")


def _document_field(label: str) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        help_text="Optional. A PDF, or a photo (JPEG or PNG).",
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
    )


class CoverageForm(forms.Form):
    """How the patient pays and who referred them. Only the first question must be answered; the card's details
    are needed for insurance, and the name of the person insured when it is not the patient."""

    payment = forms.ChoiceField(
        label="How will you pay?",
        choices=Coverage.Kind.choices,
        initial=Coverage.Kind.NOT_SURE,
        widget=forms.RadioSelect,
        required=False,
    )
    payer = forms.CharField(label="Insurance company", max_length=120, required=False)
    plan = forms.CharField(label="Plan (optional)", max_length=120, required=False)
    member_id = forms.CharField(
        label="Member ID", max_length=40, required=False, help_text="As printed on the insurance card."
    )
    group_number = forms.CharField(label="Group number (optional)", max_length=40, required=False)
    subscriber_relationship = forms.ChoiceField(
        label="Whose insurance is it?",
        choices=Coverage.Relationship.choices,
        initial=Coverage.Relationship.SELF,
        required=False,
    )
    subscriber_name = forms.CharField(label="Name of the person insured", max_length=170, required=False)
    subscriber_date_of_birth = forms.DateField(label="Their birth date (optional)", widget=DateInput(), required=False)
    card_front = _document_field("Photo of the card, front")
    card_back = _document_field("Photo of the card, back")
    referral_name = forms.CharField(
        label="Referring doctor or clinician (optional)",
        max_length=170,
        required=False,
        help_text="If a doctor, physiotherapist or other clinician sent you to us.",
        # Blank, yet it lets site.css show the referral's other questions only once a name is typed.
        widget=forms.TextInput(attrs={"placeholder": " "}),
    )
    referral_practice = forms.CharField(label="Their practice", max_length=200, required=False)
    referral_phone = forms.CharField(
        label="Their phone", max_length=25, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    referral_npi = forms.CharField(
        label="Their NPI (optional)",
        max_length=10,
        required=False,
        help_text="The clinician's ten-digit National Provider Identifier, if you have it.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    referral_letter = _document_field("Referral letter")

    def clean_payment(self) -> str:
        # Not answered is what "not sure yet" means.
        return self.cleaned_data["payment"] or Coverage.Kind.NOT_SURE

    def clean_subscriber_relationship(self) -> str:
        return self.cleaned_data["subscriber_relationship"] or Coverage.Relationship.SELF

    def clean_subscriber_date_of_birth(self) -> date | None:
        born = self.cleaned_data["subscriber_date_of_birth"]
        today = timezone.localdate()
        if born is not None and born >= today:
            raise ValidationError("Enter a date of birth in the past.")
        if born is not None and born.year < today.year - 120:
            raise ValidationError("Please check the year of this date of birth.")
        return born

    def clean_referral_phone(self) -> str:
        phone = self.cleaned_data["referral_phone"].strip()
        return check_phone(phone) if phone else ""

    def clean_referral_npi(self) -> str:
        npi = self.cleaned_data["referral_npi"].replace(" ", "").replace("-", "")
        if npi:
            validate_npi(npi)
        return npi

    def clean(self) -> dict:
        data = super().clean()
        if data.get("payment") == Coverage.Kind.INSURANCE:
            self._clean_insurance(data)
        if not data.get("referral_name", "").strip() and any(data.get(name) for name in REFERRAL_FIELDS):
            self.add_error("referral_name", "Enter the name of the clinician who referred you.")
        return data

    def _clean_insurance(self, data: dict) -> None:
        if not data.get("payer", "").strip():
            self.add_error("payer", "Enter the insurance company's name, as on the card.")
        if not data.get("member_id", "").strip():
            self.add_error("member_id", "Enter the member ID printed on the card.")
        someone_else = data.get("subscriber_relationship", Coverage.Relationship.SELF) != Coverage.Relationship.SELF
        if someone_else and not data.get("subscriber_name", "").strip():
            self.add_error("subscriber_name", "Enter the name of the person whose insurance it is.")

    def coverage(self) -> CoverageDetails:
        data = self.cleaned_data
        return CoverageDetails(
            kind=data["payment"],
            payer=data["payer"].strip(),
            plan=data["plan"].strip(),
            member_id=data["member_id"].strip(),
            group_number=data["group_number"].strip(),
            subscriber_relationship=data["subscriber_relationship"],
            subscriber_name=data["subscriber_name"].strip(),
            subscriber_date_of_birth=data["subscriber_date_of_birth"],
        )

    def referral(self) -> ReferralDetails | None:
        data = self.cleaned_data
        if not data["referral_name"].strip():
            return None
        return ReferralDetails(
            clinician_name=data["referral_name"].strip(),
            practice=data["referral_practice"].strip(),
            phone=data["referral_phone"],
            npi=data["referral_npi"],
        )

    def documents(self) -> list[tuple[str, UploadedFile]]:
        """(kind, file) of each document given: the card's photos only with insurance, the letter only with a
        referring clinician."""
        data = self.cleaned_data
        wanted = {"referral_letter"} if self.referral() else set()
        if data["payment"] == Coverage.Kind.INSURANCE:
            wanted |= {"card_front", "card_back"}
        return [(DOCUMENT_FIELDS[name], data[name]) for name in DOCUMENT_FIELDS if name in wanted and data.get(name)]
