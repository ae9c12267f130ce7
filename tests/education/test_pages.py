import json
import re
from datetime import date

from django.test import TestCase
from django.urls import reverse

from clinic.models import Procedure
from tests.factories import make_article, make_procedure, make_surgeon

INDEX = reverse("education:index")


class IndexTests(TestCase):
    def test_published_articles_grouped_by_category_in_a_fixed_order(self) -> None:
        make_article(title="Recovery basics", category="recovery")
        make_article(title="What PSPS-T2 is", category="conditions")
        make_article(title="Endoscopic discectomy", category="procedures")
        make_article(title="Hidden draft", category="conditions", published=False)

        response = self.client.get(INDEX)

        html = response.content.decode()
        headings = re.findall(r'<h2 class="h4" id="category-\d+">(.*?)</h2>', html)
        assert headings == ["Conditions", "Procedures", "Recovery"]
        self.assertContains(response, "What PSPS-T2 is")
        self.assertNotContains(response, "Hidden draft")

    def test_with_no_articles_it_says_they_are_coming(self) -> None:
        self.assertContains(self.client.get(INDEX), "Our articles are being written")


class ArticlePageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.procedure = make_procedure(name="Endoscopic discectomy", slug="full-endoscopic-discectomy")
        cls.other = make_procedure(name="Spinal cord stimulation", is_minimally_invasive=False)
        cls.reviewer = make_surgeon(slug="ana-lopez", first_name="Ana", last_name="Lopez")
        cls.performer = make_surgeon(slug="ben-ito", first_name="Ben", last_name="Ito", procedures=[cls.procedure])
        make_surgeon(slug="unlisted", first_name="Una", last_name="Listed", procedures=[cls.procedure], is_listed=False)
        make_surgeon(slug="unrelated", first_name="Ula", last_name="Related", procedures=[make_procedure()])
        cls.article = make_article(
            title="Endoscopic discectomy",
            slug="endoscopic-discectomy",
            summary="Removing a disc fragment through a small tube.",
            body="## How it is done\n\n" + "word " * 450 + "\n\n## Risks\n\nSome.\n",
            reviewed_by=cls.reviewer,
            reviewed_on=date(2026, 3, 4),
            updated_on=date(2026, 5, 6),
            related_procedures=[cls.procedure, cls.other],
        )

    def test_the_page_shows_review_dates_contents_and_reading_time(self) -> None:
        response = self.client.get(self.article.get_absolute_url())

        self.assertContains(response, "<h1>Endoscopic discectomy</h1>", html=True)
        text = " ".join(response.content.decode().split())
        assert (
            'Medically reviewed by <a href="/surgeons/ana-lopez/">Dr. Ana Lopez, MD</a> '
            'on <time datetime="2026-03-04">March 4, 2026</time>.'
        ) in text
        assert 'Last updated <time datetime="2026-05-06">May 6, 2026</time>.' in text
        assert "3 minutes to read." in text
        self.assertContains(response, '<a href="#section-how-it-is-done">How it is done</a>', html=True)
        self.assertContains(response, '<a href="#section-risks">Risks</a>', html=True)
        self.assertContains(response, "general information, not advice about your own health")
        self.assertContains(response, '<a href="tel:911">911</a>', html=True)

    def test_related_procedures_and_the_listed_surgeons_who_perform_them(self) -> None:
        response = self.client.get(self.article.get_absolute_url())

        self.assertContains(response, "Spinal cord stimulation</strong> (not minimally invasive surgery)")
        self.assertContains(response, '<a href="/surgeons/ben-ito/">Dr. Ben Ito, MD</a>', html=True)
        self.assertNotContains(response, "Una Listed")
        self.assertNotContains(response, "Ula Related")
        self.assertContains(response, f'href="{reverse("consultations:request")}"')

    def test_schema_org_medical_web_page_with_last_reviewed(self) -> None:
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        data = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)[1])

        assert data["@type"] == "MedicalWebPage"
        assert data["lastReviewed"] == "2026-03-04"
        assert data["dateModified"] == "2026-05-06"
        assert data["reviewedBy"] == {
            "@type": "Physician",
            "name": "Dr. Ana Lopez, MD",
            "url": "http://testserver/surgeons/ana-lopez/",
        }
        assert data["url"] == "http://testserver/learn/endoscopic-discectomy/"

    def test_meta_description_and_open_graph_tags_describe_the_article(self) -> None:
        response = self.client.get(self.article.get_absolute_url())

        self.assertContains(
            response, '<meta name="description" content="Removing a disc fragment through a small tube.">', html=True
        )
        self.assertContains(response, '<meta property="og:title" content="Endoscopic discectomy">', html=True)
        self.assertContains(response, '<meta property="og:type" content="article">', html=True)

    def test_without_a_review_it_says_so_and_claims_no_date(self) -> None:
        article = make_article(title="Draft-like")

        response = self.client.get(article.get_absolute_url())

        self.assertContains(response, "Not yet medically reviewed.")
        self.assertNotContains(response, "lastReviewed")

    def test_unpublished_and_unknown_articles_are_not_found(self) -> None:
        draft = make_article(published=False)

        assert self.client.get(draft.get_absolute_url()).status_code == 404
        assert self.client.get(reverse("education:article", args=["no-such-article"])).status_code == 404


class QueryBudgetTests(TestCase):
    def test_index_and_article_query_counts_do_not_grow_with_the_number_of_articles(self) -> None:
        procedures = [make_procedure() for _ in range(3)]
        for procedure in procedures:
            make_surgeon(procedures=[procedure])
        reviewer = make_surgeon()

        def add_articles(count: int) -> None:
            for _ in range(count):
                make_article(reviewed_by=reviewer, reviewed_on=date(2026, 1, 1), related_procedures=procedures)

        add_articles(2)
        first = make_article(related_procedures=procedures)
        urls = {INDEX: 1, first.get_absolute_url(): 3}
        for url, budget in urls.items():
            with self.assertNumQueries(budget):
                self.client.get(url)
        add_articles(10)
        for procedure in Procedure.objects.all():
            make_surgeon(procedures=[procedure])
        for url, budget in urls.items():
            with self.assertNumQueries(budget):
                self.client.get(url)
