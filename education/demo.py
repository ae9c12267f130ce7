"""The practice's starter articles, loaded by `seed_demo` and editable in the admin afterwards.

Each article is a Markdown file in `content/`, named by its slug, that starts with a few lines of
front matter between `---` lines:

    title: ...
    category: one of Article.Category's values
    summary: ...
    related: procedure slugs, comma-separated (may be empty)
    reviewer: the reviewing surgeon's slug
"""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction

from clinic.models import Procedure, Surgeon
from education.models import Article

CONTENT = Path(__file__).resolve().parent / "content"


@dataclass(frozen=True)
class ArticleSource:
    slug: str
    title: str
    category: str
    summary: str
    body: str
    related: list[str]
    reviewer: str


def parse(path: Path) -> ArticleSource:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    fields = dict(line.split(":", 1) for line in front.strip().splitlines())
    fields = {key.strip(): value.strip() for key, value in fields.items()}
    return ArticleSource(
        slug=path.stem,
        title=fields["title"],
        category=Article.Category(fields["category"]),
        summary=fields["summary"],
        body=body.strip() + "\n",
        related=[slug.strip() for slug in fields.get("related", "").split(",") if slug.strip()],
        reviewer=fields.get("reviewer", ""),
    )


def article_sources() -> list[ArticleSource]:
    return [parse(path) for path in sorted(CONTENT.glob("*.md"))]


@transaction.atomic
def seed_articles(*, reviewer_by_slug: dict[str, Surgeon] | None, today: date) -> list[Article]:
    """Create or refresh the starter articles by slug, published; return them.

    A reviewer missing from `reviewer_by_slug` leaves that article without a medical review. Procedure
    slugs that do not exist yet are skipped, so run this after the practice's procedures are seeded.
    """
    reviewers = reviewer_by_slug or {}
    sources = article_sources()
    procedures = {p.slug: p for p in Procedure.objects.filter(slug__in={s for a in sources for s in a.related})}
    articles = []
    for number, source in enumerate(sources):
        reviewer = reviewers.get(source.reviewer)
        # Spread the demo review dates over the last weeks, so the pages do not all look alike.
        reviewed_on = today - timedelta(days=7 + 4 * number)
        article, _ = Article.objects.update_or_create(
            slug=source.slug,
            defaults={
                "title": source.title,
                "category": source.category,
                "summary": source.summary,
                "body": source.body,
                "reviewed_by": reviewer,
                "reviewed_on": reviewed_on if reviewer else None,
                "updated_on": reviewed_on,
                "published": True,
            },
        )
        article.related_procedures.set([procedures[slug] for slug in source.related if slug in procedures])
        articles.append(article)
    return articles
