"""The answer most yes/no questions of the intake take, in its own module so that every part of the intake
shares it."""

from django.db import models


class Answer(models.TextChoices):
    """A yes/no question where "not sure" is an honest answer; blank means not answered."""

    YES = "yes", "Yes"
    NO = "no", "No"
    UNSURE = "unsure", "Not sure"
