import re

from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from tests.factories import make_article, make_surgeon


class SitemapTests(TestCase):
    def test_lists_published_articles_listed_surgeons_and_public_pages(self) -> None:
        article = make_article(slug="microdiscectomy")
        make_article(slug="a-draft", published=False)
        make_surgeon(slug="ana-lopez")
        make_surgeon(slug="hidden", is_listed=False)

        response = self.client.get("/sitemap.xml")

        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/xml")
        locations = re.findall(r"<loc>(.*?)</loc>", response.content.decode())
        paths = {re.sub(r"^\w+://[^/]+", "", location) for location in locations}
        assert {
            "/",
            "/surgeons/",
            "/learn/",
            "/learn/self-check/",
            "/learn/microdiscectomy/",
            "/surgeons/ana-lopez/",
        } <= paths
        assert "/learn/a-draft/" not in paths
        assert "/surgeons/hidden/" not in paths
        self.assertContains(response, f"<lastmod>{article.updated_on.isoformat()}</lastmod>")


class RobotsTests(SimpleTestCase):
    def test_points_to_the_sitemap_and_keeps_out_of_staff_pages(self) -> None:
        response = self.client.get("/robots.txt")

        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        lines = response.content.decode().splitlines()
        assert lines[0] == "User-agent: *"
        assert f"Disallow: {reverse('admin:index')}" in lines
        assert "Sitemap: http://testserver/sitemap.xml" in lines


class MetaTagTests(TestCase):
    def test_every_page_has_a_description_and_open_graph_tags(self) -> None:
        article = make_article()
        for url in (
            reverse("clinic:home"),
            reverse("education:index"),
            reverse("education:search"),
            reverse("education:self-check"),
            article.get_absolute_url(),
        ):
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                description = re.search(r'<meta name="description"\s+content="([^"]+)"', html)
                assert description and len(description[1].split()) >= 5
                for tag in ("og:title", "og:description", "og:type", "og:url", "og:site_name"):
                    assert f'property="{tag}"' in html, tag
                assert f'content="http://testserver{url}"' in html

    def test_search_results_ask_not_to_be_indexed(self) -> None:
        self.assertContains(
            self.client.get(reverse("education:search"), {"q": "x"}), '<meta name="robots" content="noindex">'
        )
