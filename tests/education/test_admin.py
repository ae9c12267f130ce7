from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from education.models import Article
from tests.factories import make_procedure, make_surgeon, make_user, sign_in

ADD = reverse("admin:education_article_add")


class ArticleAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user(role=roles.ADMIN)
        cls.reviewer = make_surgeon()
        cls.procedure = make_procedure()

    def setUp(self) -> None:
        sign_in(self.client, self.admin)

    def form(self, **overrides: object) -> dict[str, object]:
        today = timezone.localdate()
        values = {
            "title": "Foraminotomy explained",
            "slug": "foraminotomy-explained",
            "category": Article.Category.PROCEDURES,
            "summary": "Widening the opening where a nerve leaves the spine.",
            "body": "## What it is\n\nThe surgeon widens the foramen.\n",
            "reviewed_by": self.reviewer.pk,
            "reviewed_on": today.isoformat(),
            "updated_on": today.isoformat(),
            "published": "on",
            "related_procedures": [self.procedure.pk],
        }
        return values | overrides

    def test_an_article_written_in_the_admin_is_searchable_at_once(self) -> None:
        assert self.client.get(ADD).status_code == 200

        response = self.client.post(ADD, self.form())

        assert response.status_code == 302, response.context["adminform"].form.errors
        article = Article.objects.get(slug="foraminotomy-explained")
        assert list(Article.objects.search("foramen")) == [article]

        change = reverse("admin:education_article_change", args=[article.pk])
        self.client.post(change, self.form(body="Now about the lamina instead."))
        assert list(Article.objects.search("lamina")) == [article]
        assert not Article.objects.search("foramen").exists()

    def test_a_review_needs_both_reviewer_and_date(self) -> None:
        response = self.client.post(ADD, self.form(reviewed_on=""))

        self.assertContains(response, "Give both the reviewing surgeon and the date of the review, or neither.")
        assert not Article.objects.exists()

    def test_slugs_of_the_sections_own_pages_are_refused(self) -> None:
        response = self.client.post(ADD, self.form(slug="search"))

        self.assertContains(response, "This address is taken by another page")
        assert not Article.objects.exists()
