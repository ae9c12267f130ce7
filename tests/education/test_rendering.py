from html.parser import HTMLParser

from django.test import SimpleTestCase, TestCase

from education.rendering import MARK_END, MARK_START, marked_snippet, render_markdown
from tests.factories import make_article


def elements_in(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every element a browser would build from `html`, with its attributes."""
    found = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: found.append((tag, dict(attrs)))
    parser.feed(html)
    return found


class SanitisingTests(SimpleTestCase):
    def test_scripts_and_event_handlers_do_not_survive(self) -> None:
        html = render_markdown(
            "Hello <script>alert('x')</script>\n\n"
            '<img src="x" onerror="alert(1)">\n\n'
            '<p onclick="alert(2)" style="color:red">text</p>\n\n'
            "[click](javascript:alert(3)) <iframe src='/x'></iframe>\n"
        ).html

        elements = elements_in(html)
        assert {tag for tag, _ in elements} <= {"p", "a"}
        assert all(set(attrs) <= {"href", "rel"} for _, attrs in elements), elements
        assert "javascript:" not in html
        assert "Hello" in html
        assert "text" in html

    def test_plain_formatting_and_safe_links_stay(self) -> None:
        html = render_markdown("**bold** and *soft* and [a link](/learn/x/) and [mail](mailto:desk@example.com)").html

        assert "<strong>bold</strong>" in html
        assert "<em>soft</em>" in html
        assert '<a href="/learn/x/"' in html
        assert 'href="mailto:desk@example.com"' in html

    def test_typed_ids_cannot_take_over_ids_of_the_page(self) -> None:
        html = render_markdown('<h2 id="main">Hijack</h2>\n\n## Ours\n').html

        assert 'id="main"' not in html
        assert '<h2 id="section-ours">Ours</h2>' in html

    def test_a_top_level_heading_becomes_a_section_so_the_page_keeps_one_h1(self) -> None:
        html = render_markdown("# Big\n\ntext").html

        assert "<h1" not in html
        assert '<h2 id="section-big">Big</h2>' in html


class TableOfContentsTests(SimpleTestCase):
    def test_sections_and_subsections_with_their_anchors(self) -> None:
        rendered = render_markdown("## Risks & benefits\n\ntext\n\n### After surgery\n\nmore\n\n## Recovery\n")

        assert [(h.id, h.text) for h in rendered.headings] == [
            ("section-risks-benefits", "Risks & benefits"),
            ("section-recovery", "Recovery"),
        ]
        assert [(h.id, h.text) for h in rendered.headings[0].children] == [("section-after-surgery", "After surgery")]
        assert 'id="section-risks-benefits"' in rendered.html

    def test_repeated_headings_get_distinct_anchors(self) -> None:
        rendered = render_markdown("## Risks\n\n## Risks\n")

        assert len({heading.id for heading in rendered.headings}) == 2


class SnippetTests(SimpleTestCase):
    def test_hits_are_marked_and_everything_else_is_escaped(self) -> None:
        raw = f"## Heading with <b onmouseover=x>tag</b> & **the {MARK_START}disc{MARK_END}** [link](/x/)"

        assert marked_snippet(raw) == "Heading with tag &amp; the <mark>disc</mark> link …"

    def test_a_hit_cut_at_the_end_is_closed(self) -> None:
        assert marked_snippet(f"a {MARK_START}disc") == "… a <mark>disc</mark> …"


class ArticlePageSanitisingTests(TestCase):
    def test_script_typed_into_the_admin_never_reaches_the_page(self) -> None:
        article = make_article(
            body="## Part\n\n<script>alert('owned')</script>\n\n<img src=x onerror=alert('owned')>\n\nSafe words.\n",
            title="Title <script>alert('title')</script>",
        )

        response = self.client.get(article.get_absolute_url())

        self.assertContains(response, "Safe words.")
        elements = elements_in(response.content.decode())
        scripts = [attrs for tag, attrs in elements if tag == "script"]
        handlers = [(tag, name) for tag, attrs in elements for name in attrs if name.startswith("on")]
        assert scripts and all("nonce" in attrs for attrs in scripts), scripts
        assert not handlers
        assert not [tag for tag, _ in elements if tag == "img"]
        self.assertContains(response, "<h1>Title &lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;</h1>")
