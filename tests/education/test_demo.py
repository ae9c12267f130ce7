import re
from datetime import date

from django.test import SimpleTestCase, TestCase
from django.urls import resolve

from clinic.demo import SURGEONS, seed_practice
from education.demo import article_sources, seed_articles
from education.models import Article
from tests.factories import make_user

TODAY = date(2026, 6, 1)


class SeedArticlesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        surgeons = seed_practice(today=TODAY, verifier=make_user(role="admin"), surgeon_user=None)
        cls.reviewers = {surgeon.slug: surgeon for surgeon in surgeons}

    def test_at_least_twelve_published_reviewed_articles_in_every_category(self) -> None:
        articles = seed_articles(reviewer_by_slug=self.reviewers, today=TODAY)

        assert len(articles) >= 12
        assert Article.objects.published().count() == len(articles)
        assert {a.category for a in articles} == set(Article.Category)
        assert all(a.reviewed_by and a.reviewed_on <= TODAY for a in articles)

    def test_running_twice_changes_nothing(self) -> None:
        seed_articles(reviewer_by_slug=self.reviewers, today=TODAY)
        first = list(Article.objects.values().order_by("slug"))
        links = list(Article.related_procedures.through.objects.values_list("article_id", "procedure_id"))

        seed_articles(reviewer_by_slug=self.reviewers, today=TODAY)

        assert list(Article.objects.values().order_by("slug")) == first
        assert sorted(Article.related_procedures.through.objects.values_list("article_id", "procedure_id")) == sorted(
            links
        )

    def test_without_reviewers_articles_claim_no_review(self) -> None:
        articles = seed_articles(reviewer_by_slug=None, today=TODAY)

        assert all(a.reviewed_by is None and a.reviewed_on is None for a in articles)

    def test_procedure_articles_link_to_their_procedures(self) -> None:
        seed_articles(reviewer_by_slug=self.reviewers, today=TODAY)

        assert Article.objects.get(slug="mi-tlif").related_procedures.filter(slug="mi-tlif").exists()
        assert Article.objects.get(slug="spinal-cord-stimulation").related_procedures.get().slug == (
            "spinal-cord-stimulation"
        )


class ContentTests(SimpleTestCase):
    def test_every_reviewer_is_a_demo_surgeon_and_every_link_leads_somewhere(self) -> None:
        slugs = {source.slug for source in article_sources()}
        surgeons = {surgeon.slug for surgeon in SURGEONS}
        for source in article_sources():
            with self.subTest(article=source.slug):
                assert source.reviewer in surgeons
                assert len(source.summary) <= 300
                for target in re.findall(r"\]\((/[^)]*)\)", source.body):
                    match = resolve(target)
                    if match.view_name == "education:article":
                        assert match.kwargs["slug"] in slugs, target

    def test_the_articles_cover_the_topics_the_practice_asked_for(self) -> None:
        slugs = {source.slug for source in article_sources()}

        assert {
            "pain-after-back-surgery",
            "why-pain-continues-after-surgery",
            "minimally-invasive-spine-surgery",
            "endoscopic-discectomy",
            "microdiscectomy",
            "mi-tlif",
            "lateral-interbody-fusion",
            "si-joint-fusion",
            "spinal-cord-stimulation",
            "imaging-and-navigation",
            "recovery-and-return-to-work",
            "prepare-for-your-consultation",
            "choosing-a-spine-surgeon",
        } <= slugs

    def test_no_article_promises_an_outcome(self) -> None:
        promises = re.compile(r"\b(guarantee[sd]?|cure[sd]?|will (fix|cure|end|stop)|pain[- ]free|100 ?%)\b", re.I)
        for source in article_sources():
            with self.subTest(article=source.slug):
                # The one warning about surgeons who do promise is allowed.
                body = " ".join(source.body.split()).replace("anyone who guarantees success", "")
                found = [m[0] for m in promises.finditer(body)]
                assert not found, found
