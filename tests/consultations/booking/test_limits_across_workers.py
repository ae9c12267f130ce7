"""The address limit holds across processes: a burst of requests from one address, sent at once to a real
gunicorn with two worker processes on the test database, stops exactly at the limit with 429 and stores nothing
more. (No time travel here: the workers run on the real clock.)"""

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import time as clock
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import timezone

from clinic.models import RateCount
from consultations.booking import screening
from consultations.booking.availability import free_slots_for
from consultations.models import Consultation
from tests.factories import make_location, make_rule, make_surgeon, request_form

BURST = 8
LIMIT = 5
CSRF = "ratelimittestcsrfsecret000000000"  # 32 characters: Django accepts the cookie's own value as the token


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def screen_cookie() -> str:
    result = screening.ScreenResult.passed((), recent_surgery=False, acknowledged=False, at=timezone.now())
    response = HttpResponse()
    screening.remember(response, result)
    return response.cookies[screening.COOKIE_NAME].coded_value


class Gunicorn:
    """gunicorn with two sync workers on a free port, its database connection taken from the test database's."""

    def __init__(self) -> None:
        self.port = free_port()
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (open as long as the server runs; closed in stop)
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env |= {
            "TEST_DATABASE": json.dumps(connection.settings_dict, default=str),
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "RATE_LIMIT_REQUEST": f"{LIMIT}/{365 * 24 * 3600}",  # a year's window: the burst never straddles two
        }
        command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            [*command, "tests.wsgi_on_test_database:application"],
            cwd=Path(settings.BASE_DIR),
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn stopped: {self.output()}")
            try:
                if self.request("GET", "/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer: {self.output()}")

    def request(self, method: str, path: str, body: str = "", headers: dict | None = None) -> http.client.HTTPResponse:
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        client.request(method, path, body=body, headers=headers or {})
        response = client.getresponse()
        response.read()
        client.close()
        return response

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


class BurstAcrossWorkersTests(TransactionTestCase):
    def setUp(self) -> None:
        self.albany = make_location(slug="albany", timezone="America/New_York")
        self.surgeon = make_surgeon(slug="ana", locations=[self.albany])
        for weekday in range(5):
            make_rule(self.surgeon, self.albany, weekday=weekday, start_time=clock(8), end_time=clock(18))

    def test_a_burst_from_one_address_stops_at_the_limit_on_two_workers(self) -> None:
        first_day = timezone.localdate() + timedelta(days=3)
        slots = free_slots_for(self.surgeon, first_day=first_day, days=7)[:BURST]
        assert len(slots) == BURST
        cookies = f"csrftoken={CSRF}; {screening.COOKIE_NAME}={screen_cookie()}"
        path = reverse("consultations:request-details", args=["ana"])

        def send(index: int) -> int:
            form = request_form(
                slots[index].token,
                csrfmiddlewaretoken=CSRF,
                last_name=f"Fictional{index}",
                email=f"robin{index}@example.com",
                phone=f"(518) 555-01{index:02d}",
                reason="Fictional test request.",
            )
            headers = {"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"}
            return server.request("POST", path, urlencode(form), headers).status

        server = Gunicorn()
        try:
            server.wait_until_ready()
            with ThreadPoolExecutor(max_workers=BURST) as pool:
                statuses = sorted(pool.map(send, range(BURST)))
        finally:
            log = server.output()
            server.stop()

        assert statuses == [302] * LIMIT + [429] * (BURST - LIMIT), log
        assert Consultation.objects.count() == LIMIT
        assert RateCount.objects.get(bucket="request").count == LIMIT
