from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm

from clinic.models import Location, Procedure, SurgeonQuerySet
from clinic.services import confirmed_authenticator

NO_AUTHENTICATOR = (
    "This account has no authenticator app set up yet, so it cannot sign in. "
    "Ask a practice administrator for an enrolment link."
)


class SignInForm(AuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")

    def clean_username(self) -> str:
        # Django sets the field's max_length without its validator, so an overlong name would reach
        # authenticate() and django-axes, which cannot store it (a 255-character column): refuse it here.
        username = self.cleaned_data["username"]
        if len(username) > self.username_field.max_length:
            raise forms.ValidationError(
                "A username has at most %(limit)d characters.",
                code="max_length",
                params={"limit": self.username_field.max_length},
            )
        return username

    def confirm_login_allowed(self, user: AbstractBaseUser) -> None:
        """A password alone never leads to enrolment: whoever knew it would own the second factor. Only an admin's
        invitation (clinic.services.invite_to_enrol) sets one up."""
        super().confirm_login_allowed(user)
        if confirmed_authenticator(user) is None:
            raise forms.ValidationError(NO_AUTHENTICATOR, code="no_authenticator")


class InvitationPasswordForm(SetPasswordForm):
    """The invited person's own password, chosen before their authenticator."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password2"].label = "Type it again"


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app, or one of the backup codes."""

    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The six-digit code your authenticator app shows now, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


class EnrolForm(forms.Form):
    code = forms.RegexField(
        label="Six-digit code from your app",
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": "Enter the six digits your authenticator app shows, for example 123456."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


class DirectoryFilterForm(forms.Form):
    """The directory's filters: all optional, combinable, read from the query string."""

    procedure = forms.ModelChoiceField(
        queryset=Procedure.objects.none(), to_field_name="slug", required=False, empty_label="Any procedure"
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), to_field_name="slug", required=False, empty_label="Any location"
    )
    language = forms.ChoiceField(required=False)
    revision = forms.BooleanField(label="Takes revision cases (after failed back surgery)", required=False)

    def __init__(self, *args, languages: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = Procedure.objects.filter(surgeons__is_listed=True).distinct()
        self.fields["location"].queryset = Location.objects.filter(surgeons__is_listed=True).distinct()
        self.fields["language"].choices = [("", "Any language"), *((name, name) for name in languages)]
        self.fields["procedure"].error_messages["invalid_choice"] = "We have no surgeon listed for that procedure."
        self.fields["location"].error_messages["invalid_choice"] = "We have no such location."
        self.fields["language"].error_messages["invalid_choice"] = "None of our surgeons lists that language."
        for name in ("procedure", "location", "language"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["revision"].widget.attrs["class"] = "form-check-input"

    def filter(self, surgeons: SurgeonQuerySet) -> SurgeonQuerySet:
        """Apply every filter that is valid; an invalid one is reported by the form and left out."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("procedure"):
            surgeons = surgeons.filter(procedures=data["procedure"])
        if data.get("location"):
            surgeons = surgeons.filter(locations=data["location"])
        if data.get("language"):
            surgeons = surgeons.filter(languages__contains=[data["language"]])
        if data.get("revision"):
            surgeons = surgeons.filter(takes_revision_cases=True)
        return surgeons
