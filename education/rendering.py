"""Markdown to safe HTML, and search snippets to safe HTML. No database here.

Article bodies are typed into the admin, so everything that reaches a page passes an allow-list:
Markdown is converted first, then nh3 keeps only the tags and attributes below. A <script>, an
event handler such as onerror=, a style or a javascript: link never survives.
"""

import html
import re
from dataclasses import dataclass, field

import markdown
import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.extensions.toc import slugify
from markdown.treeprocessors import Treeprocessor

# Every heading id we generate starts with this, so an id typed into the body can never take the id
# of a part of the page around it (such as "main").
HEADING_ID_PREFIX = "section-"

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "blockquote",
    "code",
    "pre",
    "hr",
    "br",
    "abbr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Private-use characters: they never occur in what people type, so they can mark search hits in the
# database's plain-text output and be turned into <mark> after everything else is escaped.
MARK_START = "\ue000"
MARK_END = "\ue001"


@dataclass(frozen=True)
class Heading:
    id: str
    text: str
    children: list["Heading"] = field(default_factory=list)


@dataclass(frozen=True)
class RenderedMarkdown:
    html: SafeString
    headings: list[Heading]


class _DemoteTopHeadings(Treeprocessor):
    """A page has one <h1>, its title: a `#` heading in the body becomes a section heading."""

    def run(self, root) -> None:
        for element in root.iter("h1"):
            element.tag = "h2"


class _DemoteTopHeadingsExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Above the table of contents (priority 5), so the contents see the demoted headings.
        md.treeprocessors.register(_DemoteTopHeadings(md), "demote_top_headings", 30)


def _heading_id(value: str, separator: str) -> str:
    return HEADING_ID_PREFIX + (slugify(value, separator) or "part")


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if value.startswith(HEADING_ID_PREFIX) else None
    return value


def _headings(tokens: list[dict]) -> list[Heading]:
    # Markdown gives heading names HTML-escaped; templates escape again, so unescape once here.
    return [Heading(token["id"], html.unescape(token["name"]), _headings(token["children"])) for token in tokens]


def sanitise(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_keep_attribute,
        clean_content_tags={"script", "style"},
    )


def render_markdown(text: str) -> RenderedMarkdown:
    converter = markdown.Markdown(
        extensions=["toc", "tables", "sane_lists", _DemoteTopHeadingsExtension()],
        extension_configs={"toc": {"slugify": _heading_id, "toc_depth": "2-3"}},
    )
    body = converter.convert(text)
    # nh3 returns only allow-listed markup, so this is safe to mark.
    return RenderedMarkdown(html=mark_safe(sanitise(body)), headings=_headings(converter.toc_tokens))


_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)?")
_MARKDOWN_SYMBOLS = re.compile(r"^#+\s*|[*_`>|]+|^\s*[-+]\s+", re.MULTILINE)
_TAGS = re.compile(r"<[^>]*>?")


def marked_snippet(text: str) -> SafeString:
    """A search snippet from the database as HTML: Markdown and tags dropped, all escaped, hits in <mark>."""
    plain = _MARKDOWN_LINK.sub(r"\1", text)
    plain = _TAGS.sub(" ", plain)
    plain = _MARKDOWN_SYMBOLS.sub("", plain)
    plain = " ".join(plain.split())
    escaped = escape(plain).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    # A hit cut off at the end of a fragment would leave <mark> open.
    if escaped.count("<mark>") > escaped.count("</mark>"):
        escaped += "</mark>"
    # Fragments are cut out of the middle of the text; say so where it shows.
    if plain.lstrip(MARK_START)[:1].islower():
        escaped = "… " + escaped
    if plain and plain.rstrip(MARK_END)[-1:] not in (".", "!", "?"):
        escaped += " …"
    return mark_safe(escaped)
