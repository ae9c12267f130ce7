"""The red-flag rules on their own: no database, no request."""

from django.test import SimpleTestCase

from consultations.booking import red_flags
from consultations.booking.red_flags import Urgency, classify


class ClassifyTests(SimpleTestCase):
    def test_no_symptoms_means_no_urgent_advice(self) -> None:
        advice = classify([])

        assert advice.urgency == Urgency.NONE
        assert not advice.is_urgent
        assert advice.instructions == ()

    def test_every_cauda_equina_nerve_and_infection_sign_is_an_emergency(self) -> None:
        for question in red_flags.QUESTIONS[:2]:
            for flag in question.flags:
                with self.subTest(flag=flag.key):
                    advice = classify([flag.key])
                    assert advice.is_emergency
                    assert advice.headline == "These symptoms can be a medical emergency."
                    assert advice.instructions[0] == (
                        "Call 911 (or your local emergency number) or go to the nearest emergency department now. "
                        "Do not wait for an appointment."
                    )
                    assert any("do not drive yourself" in line for line in advice.instructions)
                    assert any("cannot assess emergencies" in line for line in advice.instructions)

    def test_possible_cancer_or_fracture_means_a_doctor_today(self) -> None:
        for key in ("cancer", "weight_loss", "night_pain", "new_pain_over_50", "injury"):
            with self.subTest(key=key):
                advice = classify([key])
                assert advice.urgency == Urgency.SAME_DAY
                assert advice.needs_acknowledgement
                assert "today" in advice.instructions[0]

    def test_the_most_urgent_symptom_wins(self) -> None:
        assert classify(["cancer", "bladder"]).is_emergency

    def test_recent_surgery_adds_the_call_to_the_operating_surgeon(self) -> None:
        recent = classify(["wound"], recent_surgery=True)
        earlier = classify(["wound"], recent_surgery=False)

        assert red_flags.CALL_YOUR_SURGEON_NOW in recent.instructions
        assert red_flags.CALL_YOUR_SURGEON_NOW not in earlier.instructions
        assert red_flags.CALL_YOUR_SURGEON_TODAY in classify(["injury"], recent_surgery=True).instructions

    def test_an_unknown_key_is_a_programming_error(self) -> None:
        with self.assertRaises(KeyError):
            classify(["headache"])

    def test_keys_are_unique_across_questions(self) -> None:
        keys = [flag.key for question in red_flags.QUESTIONS for flag in question.flags]

        assert len(keys) == len(set(keys)) == len(red_flags.FLAGS)
