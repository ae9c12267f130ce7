"""The surgeon's summary shows the patient's neurological deficits and their claims; the desk sees neither."""

from django.urls import reverse

from consultations.models import Intake
from tests.consultations.review.test_summary import SummaryTestCase, section
from tests.factories import make_submitted_intake, make_user, sign_in


class NeuroSummaryTests(SummaryTestCase):
    def test_the_deficits_follow_the_pain_and_the_claims_show_in_work(self) -> None:
        make_submitted_intake(
            self.consultation,
            weak_ankle_dorsiflexion="left",
            numbness="yes",
            numbness_map={"foot": "left", "thigh": ""},
            walking="limited",
            walking_blocks=2,
            walking_eased_by_bending="yes",
            falls_last_year=1,
            bladder_bowel="normal",
            workers_comp_claim="open",
            job_demands="heavy",
        )
        html = self.page()
        assert html.index('id="pain"') < html.index('id="neuro"') < html.index('id="function"')
        neuro = section(html, "neuro")
        assert "ankle dorsiflexion; foot drop: left" in neuro
        assert "Foot (left)" in neuro
        assert "Stops after about 2 blocks; eased by bending forward or sitting: yes" in neuro
        assert "1 fall in the last 12 months" in neuro
        assert "They work normally for me" in neuro
        work = section(html, "work")
        assert "Workers&#x27; compensation claim" in work and "Yes, still open" in work
        assert "Heavy: lifting up to about 100 lb" in work

    def test_an_older_history_without_these_answers_says_not_answered(self) -> None:
        make_submitted_intake(self.consultation)
        neuro = section(self.page(), "neuro")
        assert neuro.count("Not answered") == 5
        work = section(self.page(), "work")
        assert work.count("Not answered") >= 4

    def test_the_desk_never_sees_claims_or_deficits(self) -> None:
        make_submitted_intake(self.consultation, workers_comp_claim="open", weak_toe_extension="both")
        sign_in(self.client, make_user(role="front_desk"))
        for url in (
            reverse("consultations:desk-consultation", args=[self.consultation.public_id]),
            reverse("consultations:desk-patient", args=[self.patient.pk]),
        ):
            with self.subTest(url):
                response = self.client.get(url)
                assert response.status_code == 200
                for text in ("compensation", "still open", "toe", "Neurological"):
                    self.assertNotContains(response, text)
        assert Intake.objects.get().workers_comp_claim == "open"
