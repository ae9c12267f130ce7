"""Pages load nothing from other hosts: every page reachable by following links, for every role."""

import re
from functools import cache
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.sitewide import SitewideTestCase

# Attributes through which a page makes the browser fetch or send something.
RESOURCE_ATTRIBUTES = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "form": ("action",),
    "input": ("src",),
    "image": ("href",),
    "use": ("href",),
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")
MAX_PAGES = 150


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.resources: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        for name in RESOURCE_ATTRIBUTES.get(tag, ()):
            if values.get(name):
                self.resources.extend(part.strip().split(" ")[0] for part in values[name].split(","))
        if values.get("style"):
            self.resources.extend(a or b for a, b in CSS_URL.findall(values["style"]))

    def handle_data(self, data: str) -> None:
        if self.lasttag == "style":
            self.resources.extend(a or b for a, b in CSS_URL.findall(data))


def is_foreign(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in ("", "data", "tel", "mailto") or bool(parts.netloc)


def static_path(url: str) -> str | None:
    path = urlsplit(url).path
    return path.removeprefix("/static/") if path.startswith("/static/") else None


@cache
def foreign_in_stylesheet(name: str) -> tuple[str, ...]:
    """Foreign URLs in one of our stylesheets, read once however many pages link it."""
    original = re.sub(r"\.[0-9a-f]{12}\.css$", ".css", name)
    with open(finders.find(original), encoding="utf-8") as stylesheet:
        return tuple(a or b for a, b in CSS_URL.findall(stylesheet.read()) if is_foreign(a or b))


class NoForeignHostTests(SitewideTestCase):
    def crawl(self, client: Client, start: list[str]) -> dict[str, list[str]]:
        """Visit pages reachable by links from `start`; return each page's foreign resources."""
        queue, seen, foreign = list(start), set(start), {}
        for _ in range(MAX_PAGES):
            if not queue:
                break
            response = client.get(queue.pop(0), follow=True)
            url = response.request["PATH_INFO"] + ("?" + response.request["QUERY_STRING"]).rstrip("?")
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = PageParser()
            parser.feed(response.content.decode())
            foreign[url] = [resource for resource in parser.resources if is_foreign(resource)]
            foreign[url] += self.foreign_in_stylesheets(parser.resources)
            for link in parser.links:
                target = urljoin(url, link).split("#")[0]
                if not is_foreign(target) and target not in seen:
                    seen.add(target)
                    queue.append(target)
        return foreign

    def foreign_in_stylesheets(self, resources: list[str]) -> list[str]:
        found = []
        for resource in resources:
            name = static_path(resource)
            if name and name.endswith(".css"):
                found += foreign_in_stylesheet(name)
        return found

    def test_no_page_loads_anything_from_another_host(self) -> None:
        visited = set()
        # Each past the red-flag screen, so that the booking pages behind it are crawled too.
        for client in self.visitors().values():
            foreign = self.crawl(client, [reverse("clinic:home"), reverse("clinic:start"), reverse("clinic:sign-in")])
            offending = {url: found for url, found in foreign.items() if found}
            assert not offending, f"Pages load from other hosts: {offending}"
            visited |= set(foreign)

        expected = {"/", "/learn/", "/surgeons/", "/request/", "/accounts/sign-in/", "/desk/", "/surgeon/", "/admin/"}
        assert expected <= visited, f"The crawl missed {expected - visited}"

    def test_the_check_itself_spots_a_foreign_resource(self) -> None:
        parser = PageParser()
        parser.feed(
            '<script src="https://cdn.example.net/x.js"></script><img src="//pixels.example/p.gif">'
            '<link href="/static/a.css"><div style="background:url(https://t.example/b.png)"></div>'
        )
        assert [r for r in parser.resources if is_foreign(r)] == [
            "https://cdn.example.net/x.js",
            "//pixels.example/p.gif",
            "https://t.example/b.png",
        ]
