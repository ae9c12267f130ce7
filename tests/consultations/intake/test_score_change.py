"""Comparing two visits' scores never fails on an old response: when its stored answers no longer give a score
exactly, its stored score stands in."""

from django.test import TestCase
from django.utils import timezone

from consultations.intake import questionnaires
from consultations.models import QuestionnaireResponse
from tests.factories import (
    make_consultation,
    make_function_score,
    make_location,
    make_submitted_intake,
    make_surgeon,
)


class ChangeFromOldResponsesTests(TestCase):
    """A response whose stored answers the definition no longer reads still compares by its stored score."""

    def test_an_unreadable_earlier_response_falls_back_to_its_stored_score(self) -> None:
        intake = make_submitted_intake(make_consultation(make_surgeon(), make_location(), timezone.now()))
        earlier = make_function_score(intake, [5, 5, 5, 5, 0, 0, 0, 0, 0, 0])
        later = make_function_score(
            make_submitted_intake(make_consultation(make_surgeon(), make_location(), timezone.now())),
            [5, 5, 5, 5, 5, 2, 0, 0, 0, 0],
        )
        QuestionnaireResponse.objects.filter(pk=earlier.pk).update(answers={"no_such_section": 9})
        earlier.refresh_from_db()

        change = questionnaires.change_between(earlier, later)

        assert change is not None
        assert (change.previous, change.current) == (40, 54)
