"""Questionnaire definitions kept as data, and each intake's answers to them with the score they give."""

from django.db import models

from consultations.models.intake import Intake


class Instrument(models.Model):
    """A questionnaire definition (items, answers with ordinal values, scoring, bands) kept as JSON.

    Our own instruments ship as files in `consultations/intake/instruments/`; `manage.py load_instrument` installs
    others, such as a licensed official text. For new intakes the most recently installed instrument for a
    purpose is used; an intake keeps the one it was answered with.
    """

    class Source(models.TextChoices):
        SHIPPED = "shipped", "Shipped with the application"
        LOADED = "loaded", "Installed by the practice"

    code = models.SlugField(max_length=60)
    version = models.CharField(max_length=20)
    purpose = models.SlugField(max_length=40, help_text="What it measures, e.g. 'function' or 'pain'.")
    title = models.CharField(max_length=200)
    definition = models.JSONField()
    source = models.CharField(max_length=8, choices=Source, default=Source.SHIPPED)
    installed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["purpose", "-installed_at"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="instrument_code_version")]

    def __str__(self) -> str:
        return f"{self.title} ({self.code} {self.version})"


class QuestionnaireResponse(models.Model):
    """The raw answers to one instrument, and the score and band computed from them when answered."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="responses")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    # {item id: ordinal value or null when skipped}
    answers = models.JSONField(default=dict)
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["intake", "instrument"], name="questionnaire_response_once"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.code} {self.instrument.version} for {self.intake}"
