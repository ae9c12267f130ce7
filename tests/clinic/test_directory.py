import json
import re
from datetime import UTC, datetime, time, timedelta

import time_machine
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from clinic.models import Credential
from tests.factories import (
    make_consultation,
    make_credential,
    make_location,
    make_procedure,
    make_rule,
    make_surgeon,
)

DIRECTORY = reverse("clinic:surgeon-list")


def names_on(response) -> list[str]:
    return re.findall(r'<h2 class="h5 mb-1" id="surgeon-([\w-]+)">', response.content.decode())


class DirectoryFilterTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", name="Albany")
        cls.phoenix = make_location(slug="phoenix", name="Phoenix", timezone="America/Phoenix")
        cls.tlif = make_procedure(slug="mi-tlif", name="MI-TLIF")
        cls.endo = make_procedure(slug="endoscopic", name="Endoscopic discectomy")
        cls.scs = make_procedure(slug="scs", name="Spinal cord stimulation", is_minimally_invasive=False)
        make_surgeon(
            slug="ana",
            locations=[cls.albany],
            procedures=[cls.tlif],
            languages=["English", "Spanish"],
            takes_revision_cases=True,
        )
        make_surgeon(slug="ben", locations=[cls.phoenix], procedures=[cls.tlif, cls.endo], languages=["English"])
        make_surgeon(
            slug="cho",
            locations=[cls.albany, cls.phoenix],
            procedures=[cls.endo, cls.scs],
            languages=["Korean", "English"],
            takes_revision_cases=True,
        )
        make_surgeon(slug="hidden", locations=[cls.albany], procedures=[cls.tlif], is_listed=False)

    def test_without_filters_every_listed_surgeon_shows(self) -> None:
        assert sorted(names_on(self.client.get(DIRECTORY))) == ["ana", "ben", "cho"]

    def test_each_filter_narrows_the_list(self) -> None:
        cases = {
            "procedure=mi-tlif": ["ana", "ben"],
            "location=phoenix": ["ben", "cho"],
            "language=Korean": ["cho"],
            "revision=on": ["ana", "cho"],
        }
        for query, expected in cases.items():
            with self.subTest(query=query):
                assert sorted(names_on(self.client.get(f"{DIRECTORY}?{query}"))) == expected

    def test_filters_combine_and_stay_selected(self) -> None:
        response = self.client.get(f"{DIRECTORY}?procedure=endoscopic&location=albany&revision=on")

        assert names_on(response) == ["cho"]
        self.assertContains(response, '<option value="endoscopic" selected>')
        self.assertContains(response, '<option value="albany" selected>')
        self.assertContains(response, 'name="revision" class="form-check-input" id="id_revision" checked')

    def test_no_match_says_so_and_offers_the_way_back(self) -> None:
        response = self.client.get(f"{DIRECTORY}?language=Spanish&location=phoenix")

        assert names_on(response) == []
        self.assertContains(response, "No surgeon matches all of these filters")

    def test_an_unknown_filter_value_gets_a_message_and_is_left_out(self) -> None:
        response = self.client.get(f"{DIRECTORY}?procedure=knee-replacement&location=phoenix")

        assert response.status_code == 200
        self.assertContains(response, "We have no surgeon listed for that procedure. This filter was left out.")
        assert sorted(names_on(response)) == ["ben", "cho"]

    def test_filter_choices_only_offer_what_listed_surgeons_have(self) -> None:
        response = self.client.get(DIRECTORY)

        for language in ("English", "Korean", "Spanish"):
            self.assertContains(response, f'<option value="{language}">{language}</option>', html=True)

    def test_cards_show_only_minimally_invasive_procedures(self) -> None:
        html = self.client.get(f"{DIRECTORY}?language=Korean").content.decode()
        card = re.search(r"<article.*?</article>", html, re.S)[0]

        assert "Endoscopic discectomy" in card
        assert "Spinal cord stimulation" not in card


class DirectoryQueryBudgetTests(TestCase):
    def test_query_count_does_not_grow_with_the_number_of_surgeons(self) -> None:
        location, procedure = make_location(), make_procedure()

        def add_surgeons(count: int) -> None:
            for _ in range(count):
                surgeon = make_surgeon(locations=[location], procedures=[procedure])
                make_credential(surgeon)
                for weekday in range(7):
                    make_rule(surgeon, location, weekday=weekday)
                make_consultation(surgeon, location, timezone.now() + timedelta(days=3))

        urls = {DIRECTORY: 10, f"{DIRECTORY}?procedure={procedure.slug}&language=English": 11}
        add_surgeons(2)
        for url, budget in urls.items():
            with self.assertNumQueries(budget):
                self.client.get(url)
        add_surgeons(8)
        for url, budget in urls.items():
            with self.assertNumQueries(budget):
                self.client.get(url)
        assert len(names_on(self.client.get(DIRECTORY))) == 10


@time_machine.travel(datetime(2026, 3, 2, 12, 0, tzinfo=UTC), tick=False)
class NextAvailableTests(TestCase):
    def test_each_card_shows_the_first_free_day_or_how_to_reach_us(self) -> None:
        albany = make_location()
        booked = make_surgeon(slug="booked", locations=[albany])
        make_rule(booked, albany, weekday=2, start_time=time(9), end_time=time(9, 30))  # Wednesdays
        make_consultation(booked, albany, datetime(2026, 3, 4, 14, 0, tzinfo=UTC))  # this Wednesday, taken
        make_surgeon(slug="no-rules", locations=[albany])
        make_surgeon(slug="full", locations=[albany], accepts_new_patients=False)

        html = self.client.get(DIRECTORY).content.decode()
        cards = dict(re.findall(r'id="surgeon-([\w-]+)">.*?<dt>Next available</dt>\s*<dd[^>]*>(.*?)</dd>', html, re.S))

        assert "Wednesday, March 11, 2026" in cards["booked"]
        assert "please call us" in cards["no-rules"]
        assert "Not taking new patients" in cards["full"]


class DirectoryOrderTests(TestCase):
    def test_a_surgeon_taking_no_new_patients_comes_last(self) -> None:
        albany = make_location()
        make_surgeon(slug="aaron-full", last_name="Aaronson", locations=[albany], accepts_new_patients=False)
        make_surgeon(slug="zed-open", last_name="Zed", locations=[albany])

        html = self.client.get(DIRECTORY).content.decode()

        assert html.index('id="surgeon-zed-open"') < html.index('id="surgeon-aaron-full"')


class BoardBadgeTests(TestCase):
    def test_badge_only_for_a_current_verified_board_certification(self) -> None:
        today = timezone.localdate()
        verified = make_surgeon(slug="verified")
        make_credential(verified)
        lapsed = make_surgeon(slug="lapsed")
        make_credential(lapsed, expires_on=today)
        stale = make_surgeon(slug="stale")
        make_credential(stale, verified_on=today - timedelta(days=400))
        licence_only = make_surgeon(slug="licence-only")
        make_credential(licence_only, kind=Credential.Kind.STATE_LICENCE, state="NY")

        html = self.client.get(DIRECTORY).content.decode()
        cards = dict(re.findall(r'id="surgeon-([\w-]+)">.*?<p class="mb-2">(.*?)</p>', html, re.S))

        assert "Board certified · verified" in cards["verified"]
        for slug in ("lapsed", "stale", "licence-only"):
            assert "Board certification not yet verified" in cards[slug], slug


class ProfileTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.location = make_location(name="Albany Spine", phone="(518) 555-0142")
        cls.surgeon = make_surgeon(
            slug="ana-lopez",
            first_name="Ana",
            last_name="Lopez",
            locations=[cls.location],
            procedures=[make_procedure(name="MI-TLIF")],
            technologies=["navigation", "endoscopy"],
        )
        today = timezone.localdate()
        make_credential(cls.surgeon, title="Orthopaedic Surgery")
        make_credential(
            cls.surgeon,
            kind=Credential.Kind.STATE_LICENCE,
            issuer="NJ board",
            title="Medical licence",
            state="NJ",
            identifier="NJ-555",
            expires_on=today - timedelta(days=3),
        )
        make_credential(
            cls.surgeon, kind=Credential.Kind.FELLOWSHIP, issuer="Example Institute", title="MISS Fellowship"
        )

    def test_profile_shows_every_section_a_patient_scans(self) -> None:
        response = self.client.get(self.surgeon.get_absolute_url())

        for text in (
            "Dr. Ana Lopez, MD",
            "Board certification",
            "Fellowship training",
            "MISS Fellowship",
            "State medical licence",
            "Number NJ-555",
            "Expired",
            "MI-TLIF",
            "50 (2025)",
            "Intraoperative navigation",
            "Albany Spine",
            "(518) 555-0142",
            "certificationmatters.org",
            "Request a consultation with Dr. Lopez",
        ):
            self.assertContains(response, text)

    def test_verified_badge_on_the_board_certification_and_none_on_the_expired_licence(self) -> None:
        html = self.client.get(self.surgeon.get_absolute_url()).content.decode()
        items = re.findall(r'<li class="list-group-item">(.*?)</li>', html, re.S)
        board = next(item for item in items if "Orthopaedic Surgery" in item)
        licence = next(item for item in items if "NJ-555" in item)

        assert "Verified" in board
        assert "Verified" not in licence

    def test_schema_org_physician_in_the_head(self) -> None:
        html = self.client.get(self.surgeon.get_absolute_url()).content.decode()
        head = html.split("</head>")[0]
        data = json.loads(re.search(r'<script type="application/ld\+json" nonce="[^"]+">(.*?)</script>', head, re.S)[1])

        assert data["@type"] == "Physician"
        assert data["name"] == "Dr. Ana Lopez, MD"
        assert data["identifier"]["value"] == self.surgeon.npi
        assert [c["name"] for c in data["hasCredential"]] == ["Orthopaedic Surgery", "MISS Fellowship"]

    def test_script_breaking_text_cannot_escape_the_json(self) -> None:
        self.surgeon.title = "</script><script>alert(1)</script>"
        self.surgeon.save()

        html = self.client.get(self.surgeon.get_absolute_url()).content.decode()

        assert "<script>alert(1)" not in html

    def test_unknown_or_unlisted_surgeon_is_not_found(self) -> None:
        hidden = make_surgeon(slug="hidden", is_listed=False)
        assert self.client.get(reverse("clinic:surgeon-detail", args=["nobody"])).status_code == 404
        assert self.client.get(hidden.get_absolute_url()).status_code == 404

    def test_without_a_photo_the_profile_shows_initials(self) -> None:
        response = self.client.get(self.surgeon.get_absolute_url())

        self.assertContains(response, ">AL</text>")
        assert self.client.get(reverse("clinic:surgeon-photo", args=[self.surgeon.slug])).status_code == 404
