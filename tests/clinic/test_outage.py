"""While PostgreSQL cannot be reached, every page is the plain 503 page, and the site recovers when it is back."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection
from django.test import Client, TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from consultations.links import patient_token
from tests.factories import make_consultation, make_location, make_rule, make_surgeon, make_user, screened, sign_in


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database_unreachable() -> Iterator[None]:
    """Point this process's connection at a port where no server listens, as when PostgreSQL is down."""
    settings_dict = connection.settings_dict
    saved = settings_dict["HOST"], settings_dict["PORT"]
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(closed_port())
    try:
        yield
    finally:
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = saved


@override_settings(PRACTICE_PHONE="(518) 555-0100")
class DatabaseDownTests(TransactionTestCase):
    def setUp(self) -> None:
        albany = make_location()
        self.surgeon = make_surgeon(locations=[albany])
        make_rule(self.surgeon, albany)
        self.consultation = make_consultation(self.surgeon, albany, timezone.now() + timedelta(days=10))
        self.desk = make_user(role=roles.FRONT_DESK)

    def pages(self) -> dict[str, str]:
        return {
            "home": reverse("clinic:home"),
            "surgeon": reverse("clinic:surgeon-detail", args=[self.surgeon.slug]),
            "request": reverse("consultations:request"),
            "pick a time": reverse("consultations:pick-slot", args=[self.surgeon.slug]),
            "patient link": reverse("consultations:my-consultation", args=[patient_token(self.consultation)]),
            "article list": reverse("education:index"),
            "sign-in": reverse("clinic:sign-in"),
            "desk": reverse("consultations:desk-consultation", args=[self.consultation.public_id]),
        }

    def test_every_page_is_the_plain_503_page_then_recovers(self) -> None:
        pages = self.pages()
        # A visitor, and a desk user whose session the middleware reads before any view runs.
        visitor, desk = Client(raise_request_exception=False), Client(raise_request_exception=False)
        screened(visitor)
        sign_in(desk, self.desk)

        with database_unreachable():
            answers = {
                (who, name): client.get(url)
                for who, client in (("visitor", visitor), ("desk", desk))
                for name, url in pages.items()
            }
            answers["visitor", "sign-in sent"] = visitor.post(
                pages["sign-in"], {"username": "someone", "password": "x"}
            )
            health = visitor.get(reverse("healthz"))

        # Pages that need no database still work for a visitor: the home page, the sign-in form, and the way from
        # a staff page to it. Everything else, and everything for a signed-in user (the session is in PostgreSQL),
        # is the plain 503 page.
        without_database = {("visitor", "home"): 200, ("visitor", "sign-in"): 200, ("visitor", "desk"): 302}
        for (who, name), response in answers.items():
            with self.subTest(who=who, page=name):
                if (who, name) in without_database:
                    assert response.status_code == without_database[who, name]
                    continue
                assert response.status_code == 503
                assert response["Retry-After"] == "60"
                assert "no-store" in response["Cache-Control"]
                self.assertContains(response, "We are back in a few minutes", status_code=503)
                self.assertContains(response, 'href="tel:(518) 555-0100"', status_code=503)
                self.assertNotContains(response, "<script", status_code=503)
        assert sum(response.status_code == 503 for response in answers.values()) == len(answers) - 3
        assert (health.status_code, health.json()) == (503, {"status": "unavailable"})
        assert visitor.get(pages["home"]).status_code == 200
        assert desk.get(pages["desk"]).status_code == 200

    def test_other_errors_are_still_the_500_page(self) -> None:
        client = Client(raise_request_exception=False)
        # A broken query is a bug, not an outage.
        with override_settings(ROOT_URLCONF="tests.clinic.broken_urls"):
            response = client.get("/broken/")

        assert response.status_code == 500
        self.assertContains(response, "Something went wrong on our side", status_code=500)
