"""The request form's guard against scripts: a honeypot field people never see or fill, and a signed time the
form was shown, too recent for a person to have filled it. A tripped guard is one neutral form error."""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS

SALT = "consultations.request-form-shown"
HONEYPOT = "website"
SHOWN_AT = "shown_at"
TRIPPED = "bot_guard"
# A form shown longer ago than this is refused like a forged one: a script may not keep one stamp for ever.
MAX_AGE_SECONDS = 24 * 3600
MESSAGE = (
    "We could not send this form. Please check your details and send it again. "
    "If this keeps happening, call us and we will book the consultation for you."
)


def shown_at_stamp(at: float | None = None) -> str:
    """The signed moment a form was shown, for its hidden field."""
    return signing.dumps(round(time.time() if at is None else at, 1), salt=SALT)


class BotGuardForm(forms.Form):
    """Adds the two checks to a form. The template renders both fields through `consultations/_bot_guard.html`."""

    website = forms.CharField(
        label="Leave this field empty (it is here to catch automated forms)", required=False, max_length=200
    )
    shown_at = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fresh_stamp = shown_at_stamp()

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.data.get(HONEYPOT) or not self._filled_by_a_person():
            raise forms.ValidationError(MESSAGE, code=TRIPPED)
        return cleaned

    def _filled_by_a_person(self) -> bool:
        minimum = settings.REQUEST_FORM_MIN_SECONDS
        if minimum <= 0:
            return True
        try:
            shown = float(signing.loads(self.data.get(SHOWN_AT, ""), salt=SALT))
        except (signing.BadSignature, TypeError, ValueError):
            return False
        return minimum <= time.time() - shown <= MAX_AGE_SECONDS

    @property
    def guard_tripped(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, TRIPPED)
