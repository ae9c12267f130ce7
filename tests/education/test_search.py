from django.test import TestCase
from django.urls import reverse

from education.forms import MAX_QUERY_LENGTH
from education.models import Article
from tests.factories import make_article

SEARCH = reverse("education:search")


def titles_on(response) -> list[str]:
    return [result.article.title for result in response.context["results"]]


class SearchTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        make_article(
            title="Endoscopic discectomy",
            summary="Removing a disc fragment through a small tube.",
            body="## How it works\n\nThe surgeon removes the herniated disc through an endoscope.\n",
        )
        make_article(
            title="Recovery and return to work",
            summary="The first weeks after surgery.",
            body="Walk every day. After a discectomy, many people return to desk work within weeks.\n",
        )
        make_article(
            title="Spinal cord stimulation",
            summary="Neuromodulation when there is nothing to repair.",
            body="A trial comes first. It is not a discectomy and not a fusion.\n",
        )
        make_article(title="Discectomy draft", body="discectomy discectomy discectomy", published=False)

    def test_a_query_naming_a_topic_finds_that_article_first(self) -> None:
        for query, first in [
            ("discectomy", "Endoscopic discectomy"),
            ("spinal cord stimulation", "Spinal cord stimulation"),
            ("return to work", "Recovery and return to work"),
        ]:
            with self.subTest(query=query):
                assert titles_on(self.client.get(SEARCH, {"q": query}))[0] == first

    def test_results_are_all_matches_and_never_unpublished(self) -> None:
        response = self.client.get(SEARCH, {"q": "discectomy"})

        assert sorted(titles_on(response)) == [
            "Endoscopic discectomy",
            "Recovery and return to work",
            "Spinal cord stimulation",
        ]
        self.assertContains(response, "3 articles found")

    def test_hits_are_highlighted_in_the_snippet(self) -> None:
        response = self.client.get(SEARCH, {"q": "endoscope"})

        self.assertContains(response, "through an <mark>endoscope</mark>", html=False)

    def test_a_misspelling_still_finds_the_article(self) -> None:
        response = self.client.get(SEARCH, {"q": "discetomy"})

        assert response.context["fuzzy"]
        assert titles_on(response)[0] == "Endoscopic discectomy"
        self.assertContains(response, "These articles have words close to it")

    def test_nonsense_finds_nothing_and_says_so(self) -> None:
        response = self.client.get(SEARCH, {"q": "xylophone quartz"})

        assert titles_on(response) == []
        self.assertContains(response, "No article matches")

    def test_an_empty_query_shows_the_form_and_a_hint(self) -> None:
        for params in ({}, {"q": ""}, {"q": "   "}):
            with self.subTest(params=params), self.assertNumQueries(0):
                response = self.client.get(SEARCH, params)
            assert response.status_code == 200
            self.assertContains(response, "Type a word or two")

    def test_a_very_long_query_is_shortened_and_the_visitor_told(self) -> None:
        response = self.client.get(SEARCH, {"q": "discectomy " * 100})

        assert response.status_code == 200
        assert len(response.context["text"]) <= MAX_QUERY_LENGTH
        self.assertContains(response, f"longer than {MAX_QUERY_LENGTH} characters")
        assert titles_on(response)[0] == "Endoscopic discectomy"

    def test_odd_input_never_breaks_the_page(self) -> None:
        for query in ['"', "-", "!!! ???", "a & | ! (", "\x00disc", "<script>alert(1)</script>", "'; DROP TABLE", "or"]:
            with self.subTest(query=query):
                response = self.client.get(SEARCH, {"q": query})
                assert response.status_code == 200
                assert "<script>alert(1)" not in response.content.decode()


class SearchVectorTests(TestCase):
    def test_the_vector_follows_every_kind_of_edit(self) -> None:
        article = make_article(title="Before", body="nothing special")
        assert not Article.objects.search("laminectomy").exists()

        article.body = "A laminectomy removes bone."
        article.save()
        assert list(Article.objects.search("laminectomy")) == [article]

        Article.objects.filter(pk=article.pk).update(summary="About foraminotomy")
        assert list(Article.objects.search("foraminotomy")) == [article]
        assert Article.objects.search("laminectomy").exists()

    def test_title_weighs_more_than_the_body(self) -> None:
        in_body = make_article(title="Other", body="kyphoplasty " * 5)
        in_title = make_article(title="Kyphoplasty", body="something else")

        assert list(Article.objects.search("kyphoplasty")) == [in_title, in_body]
