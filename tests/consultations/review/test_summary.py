"""The surgeon's one-screen intake summary: who may see it, what stands out, the score change, and its cost."""

import re
from datetime import date, timedelta

from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.booking.red_flags import FLAGS
from consultations.models import AccessLog, Consultation, Intake, Medication, PriorOperation, Treatment
from consultations.models.intake import Answer
from consultations.models.operations import Level
from consultations.models.scheduling import SafetyFlag
from consultations.review.summary import dominance
from tests.factories import (
    make_consultation,
    make_coverage,
    make_function_score,
    make_intake,
    make_location,
    make_medication,
    make_mood_screen,
    make_operation,
    make_patient,
    make_red_flag_screen,
    make_referral,
    make_submitted_intake,
    make_surgeon_user,
    make_synthetic_odi,
    make_user,
    sign_in,
)

# Ten sections answered 0-5 score 2 x their sum: these give the scores in the names.
SCORE_50 = [5, 5, 5, 5, 5, 0, 0, 0, 0, 0]
SCORE_40 = [5, 5, 5, 5, 0, 0, 0, 0, 0, 0]
SCORE_42 = [5, 5, 5, 5, 1, 0, 0, 0, 0, 0]
SCORE_30 = [5, 5, 5, 0, 0, 0, 0, 0, 0, 0]
SCORE_20 = [5, 5, 0, 0, 0, 0, 0, 0, 0, 0]
SCORE_16 = [5, 3, 0, 0, 0, 0, 0, 0, 0, 0]
SCORE_14 = [5, 2, 0, 0, 0, 0, 0, 0, 0, 0]


def summary_url(consultation: Consultation) -> str:
    return reverse("consultations:surgeon-summary", args=[consultation.public_id])


def section(html: str, section_id: str) -> str:
    """The HTML of one section of the summary (a <section>, or a <details> closed below the first screen), so an
    assertion cannot be met by another part of the page."""
    start = re.search(rf'<(section|details) id="{section_id}"', html)
    assert start, f"no section {section_id}"
    tag, depth = start.group(1), 0
    for match in re.finditer(rf"<(/?){tag}\b", html[start.start() :]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return html[start.start() : start.start() + match.end()]
    raise AssertionError(f"section {section_id} is not closed")


class SummaryTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.user, cls.surgeon = make_surgeon_user()
        cls.location = make_location()
        cls.patient = make_patient(date_of_birth=date(1970, 1, 1))
        cls.consultation = make_consultation(
            cls.surgeon, cls.location, timezone.now() + timedelta(days=3), patient=cls.patient
        )

    def setUp(self) -> None:
        sign_in(self.client, self.user)

    def page(self, consultation: Consultation | None = None) -> str:
        response = self.client.get(summary_url(consultation or self.consultation))
        assert response.status_code == 200
        return response.content.decode()


class WhoMaySeeTheSummaryTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.own_user, own = make_surgeon_user()
        cls.other_user, _ = make_surgeon_user()
        location = make_location()
        cls.consultation = make_consultation(own, location, timezone.now() + timedelta(days=2))
        make_submitted_intake(cls.consultation, chief_complaint="Fictional: left leg pain since the fusion.")
        cls.urls = {
            "summary": summary_url(cls.consultation),
            "print": reverse("consultations:surgeon-print", args=[cls.consultation.public_id]),
            "ask": reverse("consultations:surgeon-ask", args=[cls.consultation.public_id]),
        }

    def test_the_surgeon_of_the_consultation_sees_it(self) -> None:
        sign_in(self.client, self.own_user)

        for name in ("summary", "print"):
            with self.subTest(name):
                self.assertContains(self.client.get(self.urls[name]), "Fictional: left leg pain")
        self.assertContains(self.client.get(self.urls["ask"]), "Send the question")

    def test_another_surgeon_gets_404_and_nothing_is_logged(self) -> None:
        sign_in(self.client, self.other_user)

        for name, url in self.urls.items():
            with self.subTest(name):
                response = self.client.get(url)
                assert response.status_code == 404
                self.assertNotContains(response, "Fictional", status_code=404)
        review = self.client.post(
            reverse("consultations:surgeon-review", args=[self.consultation.public_id]), {"priority": "urgent"}
        )
        assert review.status_code == 404
        assert not AccessLog.objects.exists()

    def test_a_surgeon_role_without_a_surgeon_profile_gets_404(self) -> None:
        sign_in(self.client, make_user(role="surgeon"))

        assert self.client.get(self.urls["summary"]).status_code == 404

    def test_the_front_desk_and_admins_cannot_see_clinical_content(self) -> None:
        for role in ("front_desk", "admin"):
            with self.subTest(role):
                sign_in(self.client, make_user(role=role))
                for url in self.urls.values():
                    response = self.client.get(url)
                    assert response.status_code == 403
                    self.assertNotContains(response, "Fictional", status_code=403)

    def test_anonymous_visitors_are_sent_to_sign_in(self) -> None:
        response = self.client.get(self.urls["summary"])

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("clinic:sign-in"))

    def test_pages_are_not_stored_in_caches(self) -> None:
        sign_in(self.client, self.own_user)

        for name, url in self.urls.items():
            with self.subTest(name):
                assert "no-store" in self.client.get(url)["Cache-Control"]


class NotAnsweredTests(SummaryTestCase):
    def test_skipped_answers_say_not_answered_instead_of_disappearing(self) -> None:
        make_submitted_intake(self.consultation)

        html = self.page()

        for section_id, label in (
            ("about", "Main problem"),
            ("about", "Goals"),
            ("medications", "Allergies"),
            ("work", "Work"),
            ("pain", "Where it hurts"),
        ):
            with self.subTest(label):
                self.assertInHTML(
                    f'<div class="summary-row"><dt>{label}</dt><dd class="not-answered">Not answered</dd></div>',
                    section(html, section_id),
                )
        # Long sections gather their skipped questions in one row, each still named.
        skipped = re.search(
            r'<div class="summary-row is-skipped">\s*<dt>Not answered</dt>\s*<dd class="not-answered">(.*?)</dd>',
            section(html, "health"),
            re.S,
        ).group(1)
        assert "Heart disease" in skipped
        assert "Height" in skipped
        assert "Physical therapy, Chiropractic" in section(html, "treatments")
        self.assertInHTML('<td class="not-answered">Not answered</td>', section(html, "pain"), count=6)
        # Each factor of the risk box says so itself, never "none reported".
        risks = section(html, "risks")
        assert risks.count('<span class="risk-answer not-answered">Not answered</span>') == 10
        assert "reported" not in risks
        assert "Not answered" in section(html, "function")

    def test_an_answered_question_leaves_the_skipped_row(self) -> None:
        make_submitted_intake(self.consultation, heart_disease=Answer.NO)

        health = section(self.page(), "health")

        self.assertInHTML('<div class="summary-row"><dt>Heart disease</dt><dd>No</dd></div>', health)
        skipped = health[health.index("is-skipped") :]
        assert "Heart disease" not in skipped

    def test_answered_questions_show_their_answer(self) -> None:
        make_submitted_intake(self.consultation, chief_complaint="Fictional: numb foot.", work_status="off_work")

        html = self.page()

        self.assertInHTML(
            '<div class="summary-row"><dt>Main problem</dt><dd>Fictional: numb foot.</dd></div>', section(html, "about")
        )
        self.assertInHTML(
            '<div class="summary-row"><dt>Work</dt><dd>Off work because of the pain</dd></div>', section(html, "work")
        )

    def test_a_history_not_started_says_so(self) -> None:
        html = self.page()

        assert "The patient has not started the history yet." in html
        assert 'id="review"' not in html


def risk_row(html: str, key: str) -> str:
    """One factor's row of the risk box, with its answer and details."""
    match = re.search(rf'<div class="summary-row risk risk-{key}[^"]*">.*?</div>', section(html, "risks"), re.S)
    assert match, f"no risk row {key}"
    return match.group(0)


def flagged(row: str) -> bool:
    return "is-notable" in row and "⚠" in row


class HighlightTests(SummaryTestCase):
    """Each factor has one row in the risk box, flagged when it applies, and only then."""

    def risks(self, **intake_values) -> str:
        intake = make_submitted_intake(self.consultation, **intake_values)
        self.intake = intake
        return self.page()

    def test_opioids_are_flagged_with_the_medicines_named_and_said_once(self) -> None:
        intake = make_submitted_intake(self.consultation, takes_opioids=Answer.YES)
        make_medication(intake, name="Oxycodone (fictional)", dose="5 mg twice a day", category="opioid")
        make_medication(intake, name="Vitamin D (fictional)")

        html = self.page()

        row = risk_row(html, "opioids")
        assert flagged(row)
        assert "Oxycodone (fictional) 5 mg twice a day" in row
        # No fact twice: the medicines section lists the others, not the opioid or the opioid question.
        medications = section(html, "medications")
        assert "Oxycodone" not in medications and "Opioid pain medicine" not in medications
        assert "Vitamin D (fictional)" in medications
        assert html.count("<dt>Opioids</dt>") == 1 and "Opioid pain medicine" not in html

    def test_an_opioid_with_numbers_shows_its_daily_mme_and_the_50_mark(self) -> None:
        intake = make_submitted_intake(self.consultation, takes_opioids=Answer.YES)
        make_medication(
            intake,
            name="Oxycodone",
            dose="",
            category="opioid",
            drug="oxycodone",
            strength=10,
            units_per_dose=1,
            times_per_day=4,
        )

        row = risk_row(self.page(), "opioids")

        assert "Oxycodone 10 mg, 1 at a time, 4 times a day: 60 MME/day" in row
        assert "60 MME/day. 50 MME/day or more: higher overdose risk" in row
        assert "Total" not in row  # one opioid: its own figure is the total

    def test_an_opioid_in_the_list_is_flagged_even_if_the_question_was_skipped(self) -> None:
        intake = make_submitted_intake(self.consultation)
        make_medication(intake, name="Tramadol (fictional)", category=Medication.Category.OPIOID)

        assert flagged(risk_row(self.page(), "opioids"))

    def test_no_opioid_flag_when_the_patient_takes_none(self) -> None:
        intake = make_submitted_intake(self.consultation, takes_opioids=Answer.NO)
        make_medication(intake, name="Paracetamol (fictional)")

        html = self.page()

        row = risk_row(html, "opioids")
        assert not flagged(row) and '<span class="risk-answer">No</span>' in row
        assert "⚠" not in section(html, "medications")

    def test_blood_thinners_are_flagged(self) -> None:
        intake = make_submitted_intake(self.consultation, takes_blood_thinners=Answer.YES)
        make_medication(intake, name="Apixaban (fictional)", category=Medication.Category.BLOOD_THINNER)

        row = risk_row(self.page(), "blood_thinners")

        assert flagged(row)
        assert "Apixaban (fictional)" in row

    def test_no_blood_thinner_flag_when_the_answer_is_no(self) -> None:
        row = risk_row(self.risks(takes_blood_thinners=Answer.NO), "blood_thinners")
        assert not flagged(row) and '<span class="risk-answer">No</span>' in row

    def test_current_smoking_and_vaping_are_flagged(self) -> None:
        for smoking in (Intake.Smoking.CURRENT, Intake.Smoking.VAPING):
            with self.subTest(smoking):
                Intake.objects.filter(consultation=self.consultation).delete()
                row = risk_row(self.risks(smoking=smoking, cigarettes_per_day=10, smoking_years=20), "smoking")
                assert flagged(row)
                assert Intake.Smoking(smoking).label.removeprefix("Yes, ") in row
                assert "10 cigarettes a day for 20 years (about 10 pack-years)" in row

    def test_former_and_never_smokers_are_not_flagged(self) -> None:
        for smoking, answer in ((Intake.Smoking.FORMER, "Former"), (Intake.Smoking.NEVER, "No")):
            with self.subTest(smoking):
                Intake.objects.filter(consultation=self.consultation).delete()
                row = risk_row(self.risks(smoking=smoking), "smoking")
                assert not flagged(row)
                assert f'<span class="risk-answer">{answer}</span>' in row

    def test_a_bmi_of_35_or_more_is_flagged_and_34_9_is_not(self) -> None:
        # 703 x 244 / 70² = 35.0; 703 x 243 / 70² = 34.9
        row = risk_row(self.risks(height_inches=70, weight_pounds=244), "bmi")
        assert flagged(row)
        assert "BMI 35.0" in row

        Intake.objects.filter(consultation=self.consultation).delete()
        html = self.risks(height_inches=70, weight_pounds=243)
        assert not flagged(risk_row(html, "bmi"))
        assert "BMI 34.9" in risk_row(html, "bmi")
        # Height and weight stay in the health section; the BMI is said once, in the risk box.
        assert "<dt>BMI</dt>" not in section(html, "health")
        self.assertInHTML('<div class="summary-row"><dt>Weight</dt><dd>243 lb</dd></div>', section(html, "health"))

    def test_diabetes_bones_steroids_and_a_stimulator_have_their_rows(self) -> None:
        html = self.risks(
            diabetes=Answer.YES,
            diabetes_insulin=Answer.NO,
            hba1c="8.1",
            osteoporosis=Answer.YES,
            osteoporosis_treatment=Intake.OsteoporosisTreatment.BUILDS_BONE,
            long_term_steroids=Answer.YES,
        )
        make_operation(self.intake, year=2018, procedure=PriorOperation.Procedure.OTHER, hardware={"pump": "in_place"})
        html = self.page()

        assert "no insulin, HbA1c 8.1%" in risk_row(html, "diabetes")
        assert "Injections that build bone" in risk_row(html, "osteoporosis")
        assert flagged(risk_row(html, "steroids"))
        device = risk_row(html, "devices")
        assert flagged(device) and "Pain medicine pump (intrathecal pump) (2018 operation): still in place" in device
        health = section(html, "health")
        assert "Diabetes" not in health and "Long-term steroids" not in health and "Thin bones" not in health

    def test_nothing_to_flag_says_no_on_each_row(self) -> None:
        intake = make_submitted_intake(
            self.consultation,
            workers_comp_claim="none",
            injury_litigation="none",
            disability_claim="none",
            takes_opioids=Answer.NO,
            takes_blood_thinners=Answer.NO,
            smoking=Intake.Smoking.NEVER,
            height_inches=70,
            weight_pounds=160,
            diabetes=Answer.NO,
            osteoporosis=Answer.NO,
            long_term_steroids=Answer.NO,
            steps_saved=["operations", "treatments"],
        )
        make_mood_screen(intake, nervous=0, worrying=1, down=0, interest=1)

        risks = section(self.page(), "risks")
        assert risks.count('<span class="risk-answer">No</span>') == 10
        assert "Not answered" not in risks
        assert "is-flagged-warning" not in risks and "⚠" not in risks

    def test_red_flags_come_first_highlighted_with_their_acknowledgement(self) -> None:
        make_red_flag_screen(self.consultation, "cancer", "night_pain")
        Consultation.objects.filter(pk=self.consultation.pk).update(safety_flag=SafetyFlag.REVIEW)
        make_submitted_intake(self.consultation)

        html = self.page()

        red_flags = section(html, "red-flags")
        assert html.index('id="red-flags"') < html.index('id="risks"') < html.index('id="about"')
        assert 'class="summary-section red-flags is-flagged"' in red_flags
        assert "⚠</span> Red flags reported" in red_flags
        assert FLAGS["cancer"].text in red_flags
        assert FLAGS["night_pain"].text in red_flags
        assert "See a doctor today" in red_flags
        assert "I have read this advice." in red_flags

    def test_a_red_flag_alone_leaves_the_surgical_risks_box_unflagged(self) -> None:
        make_red_flag_screen(self.consultation, "cancer")
        Consultation.objects.filter(pk=self.consultation.pk).update(safety_flag=SafetyFlag.REVIEW)

        risks = section(
            self.risks(
                takes_opioids=Answer.NO,
                takes_blood_thinners=Answer.NO,
                smoking=Intake.Smoking.NEVER,
                height_inches=70,
                weight_pounds=160,
            ),
            "risks",
        )

        assert "is-flagged-warning" not in risks
        assert "⚠" not in risks

    def test_no_red_flag_highlight_when_none_was_ticked(self) -> None:
        make_red_flag_screen(self.consultation)
        make_submitted_intake(self.consultation)

        red_flags = section(self.page(), "red-flags")

        assert "is-flagged" not in red_flags
        assert "⚠" not in red_flags
        assert "None ticked on the screen" in red_flags

    def test_an_urgent_safety_flag_shows_even_without_a_screen_record(self) -> None:
        Consultation.objects.filter(pk=self.consultation.pk).update(safety_flag=SafetyFlag.URGENT)

        red_flags = section(self.page(), "red-flags")

        assert "is-flagged" in red_flags
        assert "Urgent: emergency symptom reported" in red_flags


class ScoreChangeTests(SummaryTestCase):
    """DOMAIN.md §2.4 through the instrument's own threshold: the synthetic ODI declares Ostelo 2008 (10 points or
    30 %, the percent only from an index of 20 up); a fall as large is an improvement, a rise a worsening."""

    def with_scores(self, *previous_values: list[int | None], current: list[int | None], ours: bool = False) -> str:
        instrument = None if ours else make_synthetic_odi()
        for number, values in enumerate(previous_values, start=1):
            earlier = make_consultation(
                self.surgeon,
                self.location,
                timezone.now() - timedelta(days=400 - number),
                patient=self.patient,
                status=Consultation.Status.COMPLETED,
            )
            make_function_score(make_submitted_intake(earlier), values, instrument)
        make_function_score(make_submitted_intake(self.consultation), current, instrument)
        return section(self.page(), "function")

    def test_a_fall_of_10_points_is_a_meaningful_improvement(self) -> None:
        function = self.with_scores(SCORE_50, current=SCORE_40)

        assert "40.0" in function
        assert "Moderate" in function
        assert "▼</span> Meaningful improvement" in function
        assert "-10.0 points, -20.0%" in function
        assert "A meaningful change is 10 points or 30% of the earlier score, from an earlier score of at least 20" in (
            function
        )
        assert "Ostelo et al., Spine 2008" in function

    def test_a_fall_of_8_points_and_16_percent_is_not_meaningful(self) -> None:
        function = self.with_scores(SCORE_50, current=SCORE_42)

        assert "No meaningful change" in function
        assert "-8.0 points, -16.0%" in function
        assert "Meaningful improvement" not in function

    def test_a_fall_of_30_percent_is_meaningful_though_under_10_points(self) -> None:
        function = self.with_scores(SCORE_20, current=SCORE_14)

        assert "Meaningful improvement" in function
        assert "-6.0 points, -30.0%" in function

    def test_a_fall_of_20_percent_and_4_points_is_not(self) -> None:
        assert "No meaningful change" in self.with_scores(SCORE_20, current=SCORE_16)

    def test_raw_10_of_45_to_7_of_45_is_exactly_30_percent_and_meaningful(self) -> None:
        # One-decimal scores 22.2 -> 15.6 would read -29.7 %; the stored answers give exactly -30 %.
        before = [5, 5, 0, 0, 0, 0, 0, None, 0, 0]
        after = [5, 2, 0, 0, 0, 0, 0, None, 0, 0]
        function = self.with_scores(before, current=after)

        assert "15.6" in function and "from 9 of 10 sections" in function
        assert "Meaningful improvement" in function
        assert "-6.7 points, -30.0%" in function

    def test_under_the_minimum_baseline_the_percent_is_not_used(self) -> None:
        # Index 4 -> 2 is -50 %, but from under 20 only the 10 points count.
        function = self.with_scores([2] + [0] * 9, current=[1] + [0] * 9)

        assert "-2.0 points, -50.0%" in function
        assert "No meaningful change" in function

    def test_a_rise_of_10_points_is_a_meaningful_worsening(self) -> None:
        function = self.with_scores(SCORE_30, current=SCORE_40)

        assert "▲</span> Meaningful worsening" in function
        assert "+10.0 points, +33.3%" in function

    def test_our_own_questionnaire_gets_points_and_no_meaningful_label(self) -> None:
        function = self.with_scores(SCORE_50, current=SCORE_20, ours=True)

        assert "-30.0 points" in function
        assert "eaningful" not in function
        assert "No validated threshold exists for judging a change on this questionnaire" in function

    def test_the_change_is_against_the_last_score_and_the_chart_shows_them_all(self) -> None:
        function = self.with_scores(SCORE_20, SCORE_50, current=SCORE_40)

        assert "Meaningful improvement" in function  # 50 to 40, not 20 to 40
        assert 'role="img"' in function
        assert '<title id="trend-title">Function scores over time</title>' in function
        desc = re.search(r'<desc id="trend-desc">(.*?)</desc>', function, re.S).group(1)
        assert re.search(r"20\.0;.*50\.0;.*40\.0 \(this history\)", desc)
        assert function.count("<circle") == 3
        assert "All scores, oldest first:" in function

    def test_a_first_score_has_nothing_to_compare_and_no_chart(self) -> None:
        function = self.with_scores(current=SCORE_40)

        assert "No earlier score with this questionnaire to compare with." in function
        assert "from 10 of 10 sections" in function
        assert "<svg" not in function

    def test_too_few_answers_and_not_answered_read_differently(self) -> None:
        function = self.with_scores(current=[5, 5, 5, 5, 5, 5, 5, None, None, None])
        assert "Too few answers for a score: 7 of 10 sections answered." in function
        assert "Not answered in this history" not in function

        make_function_score(self.consultation.intake, [None] * 10)
        function = section(self.page(), "function")
        assert "Not answered in this history." in function
        assert "Too few answers" not in function

    def test_earlier_histories_still_being_filled_in_do_not_count(self) -> None:
        earlier = make_consultation(
            self.surgeon, self.location, timezone.now() - timedelta(days=300), patient=self.patient
        )
        make_function_score(make_intake(earlier), SCORE_50)
        make_function_score(make_submitted_intake(self.consultation), SCORE_40)

        function = section(self.page(), "function")

        assert "No earlier score" in function


class TimelineTests(SummaryTestCase):
    def test_operations_run_oldest_first_with_the_time_between_them(self) -> None:
        intake = make_submitted_intake(self.consultation, pain_returned_year=2021, pain_returned_month=3)
        make_operation(
            intake,
            year=2020,
            month=9,
            procedure=PriorOperation.Procedure.FUSION_TLIF,
            level_from=Level.L4,
            level_to=Level.S1,
            approach=PriorOperation.Approach.OPEN,
            implants=Answer.YES,
            outcome=PriorOperation.Outcome.WORSE,
            complications=[PriorOperation.Complication.DURAL_TEAR],
        )
        make_operation(intake, year=2019, month=5, procedure=PriorOperation.Procedure.MICRODISCECTOMY)

        operations = section(self.page(), "operations")

        assert "Previous spine operations (2)" in operations
        first = operations.index("May 2019, Microdiscectomy")
        # Saved the old way (a from-to range, implants yes/no): read as written, never turned into ticked levels.
        second = operations.index("Sep 2020, Fusion: TLIF, L4-S1 (as given before)")
        assert re.search(r'<span class="fact-label">Implants:</span>\s*Yes</span>', operations)
        gap = operations.index("1 year 4 months after the one before")
        assert first < gap < second
        assert "Dural tear or spinal fluid leak" in operations
        assert "has-complications" in operations
        assert "Mar 2021, 6 months after the last operation" in operations

    def test_no_operations_says_so(self) -> None:
        make_submitted_intake(self.consultation)

        assert "No operations listed." in section(self.page(), "operations")


class SummaryAccessLogTests(SummaryTestCase):
    def test_each_view_and_printout_writes_its_row(self) -> None:
        make_submitted_intake(self.consultation)

        self.client.get(summary_url(self.consultation))
        printout = self.client.get(reverse("consultations:surgeon-print", args=[self.consultation.public_id]))

        assert printout.status_code == 200
        assert 'media="all"' in printout.content.decode()
        rows = list(AccessLog.objects.order_by("pk").values_list("action", "user", "role", "patient", "consultation"))
        expected = (self.user.pk, "surgeon", self.patient.pk, self.consultation.pk)
        assert rows == [("view_summary", *expected), ("print_summary", *expected)]
        assert AccessLog.objects.filter(ip="127.0.0.1").count() == 2


class PrintViewTests(SummaryTestCase):
    def test_the_print_button_runs_from_a_file_with_the_pages_nonce(self) -> None:
        make_submitted_intake(self.consultation)

        response = self.client.get(reverse("consultations:surgeon-print", args=[self.consultation.public_id]))

        html = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        assert re.search(rf'<script src="[^"]*surgeon-print[^"]*\.js"\s+defer\s+nonce="{re.escape(nonce)}"', html)
        assert "data-print" in html
        assert not re.search(r"\son[a-z]+=", html), "an inline event handler, which the CSP blocks"
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), "an inline script"


class ReferralTests(SummaryTestCase):
    def test_the_summary_names_the_referring_clinician_but_not_the_insurance(self) -> None:
        make_referral(self.consultation)
        make_coverage(self.consultation, member_id="FHM-SECRET-77")

        html = self.page()

        assert "Referred by Dr. Pat Referrer (fictional), Example Family Practice" in html
        assert "(518) 555-0100" in html and "NPI 1234567893" in html
        assert "Fictional Health Mutual" not in html and "FHM-SECRET-77" not in html

    def test_without_a_referral_the_summary_says_so(self) -> None:
        assert "no referring clinician given" in self.page()

    def test_the_referral_costs_no_query_of_its_own(self) -> None:
        with CaptureQueriesContext(connection) as without:
            self.page()
        make_referral(self.consultation)

        with self.assertNumQueries(len(without)):
            self.page()


class SummaryQueryCountTests(SummaryTestCase):
    """The summary costs the same number of queries with one operation, medicine and earlier history as with six."""

    def add_history(self, consultation: Consultation, count: int) -> None:
        """`count` earlier histories with a score each, then this one with `count` operations, medicines and
        treatments."""
        for number in range(count):
            earlier = make_consultation(
                self.surgeon,
                self.location,
                timezone.now() - timedelta(days=500 - 30 * number),
                patient=consultation.patient,
                status=Consultation.Status.COMPLETED,
            )
            make_function_score(make_submitted_intake(earlier), SCORE_50)
        intake = make_submitted_intake(consultation)
        for number in range(count):
            make_operation(intake, year=2010 + number, complications=["infection"])
            make_medication(intake, name=f"Medicine {number} (fictional)", category="opioid")
            Treatment.objects.create(intake=intake, kind=Treatment.Kind.choices[number][0], tried=Answer.YES)
        make_function_score(intake, SCORE_40)

    def count(self, consultation: Consultation) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.page(consultation)
        return len(queries)

    def test_the_query_count_does_not_grow_with_the_history(self) -> None:
        self.add_history(self.consultation, 1)
        big = make_consultation(self.surgeon, self.location, timezone.now() + timedelta(days=5))
        self.add_history(big, 6)

        expected = self.count(self.consultation)

        with self.assertNumQueries(expected):
            html = self.page(big)
        assert section(html, "operations").count('class="timeline-entry') == 6
        assert section(html, "earlier").count("<li>") == 6
        assert section(html, "function").count("<circle") == 7


class PainDominanceTests(SimpleTestCase):
    """Back- or leg-dominant pain from the usual day's scores (DOMAIN.md §1.3), with the numbers it rests on."""

    def test_the_higher_usual_day_score_names_the_dominant_side(self) -> None:
        for answers, expected in (
            ({"back_average": 3, "leg_average": 8}, "Leg-dominant: leg 8, back 3 (usual day)"),
            ({"back_average": 8, "leg_average": 3}, "Back-dominant: back 8, leg 3 (usual day)"),
            ({"back_average": 5, "leg_average": 5}, "Back and leg alike: both 5 (usual day)"),
            ({"back_average": 0, "leg_average": 1}, "Leg-dominant: leg 1, back 0 (usual day)"),
        ):
            with self.subTest(answers=answers):
                self.assertEqual(dominance(answers), expected)

    def test_now_stands_in_for_a_blank_usual_day_and_blanks_say_so(self) -> None:
        self.assertEqual(
            dominance({"back_average": 4, "leg_average": None, "back_now": 2, "leg_now": 6}),
            "Leg-dominant: leg 6, back 2 (now)",
        )
        self.assertEqual(dominance({"back_average": 4}), "Back or leg dominant: not answered")
        self.assertEqual(dominance({}), "Back or leg dominant: not answered")
