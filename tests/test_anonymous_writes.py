"""Every anonymous write is rate limited: with every limit at zero, each URL that a visitor who is not signed in
can POST to answers 429, and the few that are not limited are listed here with the reason."""

from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from consultations.links import patient_token
from tests.sitewide import ANONYMOUS, SitewideTestCase
from tests.test_access_matrix import SAMPLE_KWARGS, all_patterns, url_for

LIMITED = {
    "consultations:screen",
    "consultations:request-details",
    "consultations:cancel",
    "consultations:reschedule",
    "consultations:intake-step",
    "consultations:intake-review",
    "consultations:intake-upload-remove",
    "consultations:proposal",
    "consultations:waitlist-offer",
    "consultations:patient-question",
    "consultations:resend-link",
    "education:self-check",
    "clinic:sign-in",
    "clinic:enrol",
}
# Anonymous POSTs that store nothing, so need no limit.
UNLIMITED = {
    # Signing out without a session only sends the visitor home (the admin's shows its signed-out page).
    "clinic:sign-out",
    "admin:logout",
    # Django's sitemap view answers any method with the same public XML.
    "sitemap",
}


# The admin sends anyone not signed in to its login page, which sends them on to the site's own sign-in.
SIGN_IN_PAGES = (reverse("clinic:sign-in"), reverse("admin:login"))


@override_settings(RATE_LIMITS=dict.fromkeys(settings.RATE_LIMITS, (0, 3600)))
class AnonymousWriteTests(SitewideTestCase):
    def test_every_url_an_anonymous_visitor_can_post_to_is_limited(self) -> None:
        client = self.visitors()[ANONYMOUS]
        samples = SAMPLE_KWARGS | {
            "token": patient_token(self.consultation),
            "rule_id": str(self.rule.pk),
            "time_off_id": str(self.time_off.pk),
            "patient_id": str(self.consultation.patient_id),
            "public_id": str(self.consultation.public_id),
            "pk": "1",
        }
        open_to_posts, limited = set(), set()
        for name, _, route, params in all_patterns():
            url = url_for(name, route, params, samples)
            response = client.post(url)
            if response.status_code == 429:
                limited.add(name)
                assert response["Retry-After"].isdigit()
            elif response.status_code not in (403, 404, 405) and not response.get("Location", "").startswith(
                SIGN_IN_PAGES
            ):
                open_to_posts.add(name or route)

        assert limited == LIMITED
        assert open_to_posts == UNLIMITED, "An anonymous write without a rate limit: add limit_anonymous_writes"
