from datetime import date

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from education.models import Article


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self) -> list[Article]:
        return list(Article.objects.published().only("slug", "updated_on").order_by("slug"))

    def lastmod(self, item: Article) -> date:
        return item.updated_on


class PageSitemap(Sitemap):
    """Public pages that are not rows in a table, by URL name."""

    changefreq = "weekly"
    priority = 0.8

    def __init__(self, names: list[str]) -> None:
        self.names = names

    def items(self) -> list[str]:
        return self.names

    def location(self, item: str) -> str:
        return reverse(item)
