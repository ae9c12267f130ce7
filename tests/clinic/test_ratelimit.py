"""The limiter: who the client is, one atomic count per write in PostgreSQL, the 429 page, and sign-in limited per
address across usernames (django-axes still locks each username)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.test import RequestFactory, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from clinic import ratelimit
from clinic.models import RateCount
from tests.factories import PASSWORD, make_location, make_user

SIGN_IN = reverse("clinic:sign-in")


def meta_request(**meta: str):
    return RequestFactory().post("/", **meta)


class ClientAddressTests(TestCase):
    def test_without_proxies_the_connecting_address_counts_and_forwarded_headers_are_ignored(self) -> None:
        request = meta_request(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")

        assert ratelimit.client_address(request) == "203.0.113.9"

    @override_settings(PROXY_COUNT=1)
    def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_wrote(self) -> None:
        spoofed = meta_request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
        plain = meta_request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")

        assert ratelimit.client_address(spoofed) == "203.0.113.9"
        assert ratelimit.client_address(plain) == "203.0.113.9"

    @override_settings(PROXY_COUNT=2)
    def test_behind_two_proxies_the_outer_proxys_entry_counts(self) -> None:
        request = meta_request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9, 10.0.0.1")

        assert ratelimit.client_address(request) == "203.0.113.9"

    @override_settings(PROXY_COUNT=1)
    def test_a_header_that_is_not_an_address_falls_back_to_the_connection(self) -> None:
        request = meta_request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="<script>")

        assert ratelimit.client_address(request) == "10.0.0.2"

    def test_keys_are_keyed_hashes_that_do_not_hold_the_address_or_contact(self) -> None:
        key = ratelimit.address_key(meta_request(REMOTE_ADDR="203.0.113.9"))

        assert len(key) == 64 and "203.0.113.9" not in key
        assert key != ratelimit.keyed_hash("email", "203.0.113.9")
        with override_settings(SECRET_KEY="another-secret"):
            assert ratelimit.address_key(meta_request(REMOTE_ADDR="203.0.113.9")) != key

    def test_one_contact_typed_two_ways_is_one_key(self) -> None:
        assert ratelimit.email_key(" Robin@Example.com ") == ratelimit.email_key("robin@example.com")
        assert ratelimit.phone_key("+1 (518) 555-0142") == ratelimit.phone_key("518.555.0142")
        assert ratelimit.phone_key("518 555 0142") != ratelimit.phone_key("518 555 0143")


@override_settings(RATE_LIMITS=settings.RATE_LIMITS | {"test": (3, 3600)})
class CountTests(TestCase):
    def test_each_write_is_one_more_in_one_row_and_the_fourth_is_over(self) -> None:
        hits = [ratelimit.count(bucket="test", key="a" * 64) for _ in range(4)]

        assert [hit.count for hit in hits] == [1, 2, 3, 4]
        assert [hit.exceeded for hit in hits] == [False, False, False, True]
        assert 1 <= hits[-1].retry_after <= 3600
        assert RateCount.objects.get().count == 4

    def test_check_refuses_past_the_limit_and_says_when_to_come_back(self) -> None:
        for _ in range(3):
            ratelimit.check(bucket="test", key="b" * 64)

        with self.assertRaises(ratelimit.RateLimited) as raised:
            ratelimit.check(bucket="test", key="b" * 64)
        assert 1 <= raised.exception.retry_after <= 3600

    def test_other_keys_and_buckets_count_apart(self) -> None:
        ratelimit.count(bucket="test", key="a" * 64)
        ratelimit.count(bucket="test", key="a" * 64)

        assert ratelimit.count(bucket="test", key="c" * 64).count == 1

    def test_ended_windows_are_removed_when_a_new_window_starts(self) -> None:
        old = timezone.now() - timedelta(hours=5)
        RateCount.objects.create(bucket="test", key="d" * 64, window_start=old, count=9)
        RateCount.objects.create(bucket="other", key="d" * 64, window_start=old, count=9)

        ratelimit.count(bucket="test", key="e" * 64)

        assert sorted(RateCount.objects.values_list("bucket", "count")) == [("other", 9), ("test", 1)]

    def test_the_count_is_one_statement(self) -> None:
        ratelimit.count(bucket="test", key="f" * 64)

        with self.assertNumQueries(1):
            ratelimit.count(bucket="test", key="f" * 64)

    def test_the_table_refuses_a_second_row_for_one_window(self) -> None:
        ratelimit.count(bucket="test", key="g" * 64)
        row = RateCount.objects.get()

        with self.assertRaises(IntegrityError) as raised, transaction.atomic():
            RateCount.objects.create(bucket="test", key="g" * 64, window_start=row.window_start)
        assert "rate_count_one_row_per_window" in str(raised.exception)


@override_settings(RATE_LIMITS=settings.RATE_LIMITS | {"sign-in": (3, 900)})
class SignInLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        make_location(name="Albany Spine Center", phone="(518) 555-0100")

    def test_an_address_trying_many_usernames_is_stopped_at_the_limit(self) -> None:
        for name in ("alice", "bob", "carol"):
            response = self.client.post(SIGN_IN, {"username": name, "password": "wrong-password"})
            assert response.status_code == 200

        response = self.client.post(SIGN_IN, {"username": "dave", "password": "wrong-password"})

        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= 900
        self.assertContains(response, "Please wait a little before trying again", status_code=429)
        self.assertContains(response, 'href="tel:(518) 555-0100"', status_code=429)
        # Even the right password waits: the page never tells a guesser which attempt would have worked.
        user = make_user(username="erin")
        assert self.client.post(SIGN_IN, {"username": user.username, "password": PASSWORD}).status_code == 429

    def test_another_address_is_not_held_up(self) -> None:
        for name in ("alice", "bob", "carol", "dave"):
            self.client.post(SIGN_IN, {"username": name, "password": "wrong-password"})

        response = self.client.post(
            SIGN_IN, {"username": "erin", "password": "wrong-password"}, REMOTE_ADDR="198.51.100.7"
        )

        assert response.status_code == 200
        self.assertContains(response, "Please enter a correct username and password")

    def test_looking_at_the_page_is_not_counted(self) -> None:
        for _ in range(5):
            assert self.client.get(SIGN_IN).status_code == 200

        assert not RateCount.objects.exists()


class TooManyRequestsPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        make_location(name="Albany Spine Center", phone="(518) 555-0100")
        make_location(name="Boston Spine Center", phone="(617) 555-0100")

    def test_the_page_says_what_happened_when_to_return_and_whom_to_call(self) -> None:
        request = RequestFactory().post("/")
        request.user = AnonymousUser()
        response = ratelimit.too_many_requests(request, retry_after=125)

        assert response.status_code == 429
        assert response["Retry-After"] == "125"
        page = response.content.decode()
        assert "Please try again in 3 minutes" in page
        assert 'href="tel:(518) 555-0100"' in page and 'href="tel:(617) 555-0100"' in page
        assert "Nothing from this last attempt was saved" in page
