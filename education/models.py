"""Articles for patients, written by the practice and reviewed by one of its surgeons."""

import math
import re
from functools import cached_property

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.urls import reverse

from clinic.models import Procedure, Surgeon
from education.rendering import MARK_END, MARK_START, RenderedMarkdown, render_markdown

SEARCH_CONFIG = "english"
# Below this, a misspelt word is too far from every title, summary and body to be worth showing.
MIN_SIMILARITY = 0.45
WORDS_PER_MINUTE = 200
# These paths under /learn/ are pages of their own, so no article may take them.
RESERVED_SLUGS = frozenset({"search", "self-check"})


def validate_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError("This address is taken by another page; choose a different slug.", code="reserved")


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        return self.filter(published=True)

    def search(self, text: str) -> "ArticleQuerySet":
        """Full-text matches for `text`, best first, each with a `headline` marked with MARK_START/MARK_END."""
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        return (
            self.filter(search_vector=query)
            .annotate(
                rank=SearchRank(F("search_vector"), query),
                headline=SearchHeadline(
                    "body",
                    query,
                    config=SEARCH_CONFIG,
                    start_sel=MARK_START,
                    stop_sel=MARK_END,
                    max_words=30,
                    min_words=12,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            .order_by("-rank", "title")
        )

    def similar_to(self, text: str) -> "ArticleQuerySet":
        """Articles with words close to `text` (for misspellings full-text search cannot match), closest first."""
        # Title counts most, as it does in the full-text ranking; the body only breaks near-ties.
        similarity = Greatest(
            TrigramWordSimilarity(text, "title"),
            TrigramWordSimilarity(text, "summary") * 0.9,
            TrigramWordSimilarity(text, "body") * 0.8,
        )
        return (
            self.annotate(similarity=similarity).filter(similarity__gte=MIN_SIMILARITY).order_by("-similarity", "title")
        )


class Article(models.Model):
    class Category(models.TextChoices):
        # Declared in the order the index page shows them.
        CONDITIONS = "conditions", "Conditions"
        PROCEDURES = "procedures", "Procedures"
        RECOVERY = "recovery", "Recovery"
        CHOOSING_A_SURGEON = "choosing_a_surgeon", "Choosing a surgeon"
        FAQ = "faq", "Questions people ask"

    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=160, unique=True, validators=[validate_not_reserved])
    category = models.CharField(max_length=30, choices=Category)
    summary = models.TextField(
        max_length=300, help_text="One or two plain sentences; shown in lists, search results and search engines."
    )
    body = models.TextField(
        help_text="Markdown: ## for a section heading (it appears in the table of contents), **bold**, "
        "- for a list, [text](/learn/other-article/) for a link. HTML tags other than simple formatting are removed."
    )
    reviewed_by = models.ForeignKey(
        Surgeon,
        verbose_name="medically reviewed by",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_articles",
    )
    reviewed_on = models.DateField("medically reviewed on", null=True, blank=True)
    updated_on = models.DateField("last updated on", help_text="The day the content last changed.")
    published = models.BooleanField(default=False)
    related_procedures = models.ManyToManyField(Procedure, blank=True, related_name="articles")
    # Kept by PostgreSQL itself on every insert and update, whatever the path: admin, ORM, bulk update.
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body", weight="C", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [GinIndex(fields=["search_vector"], name="article_search_vector")]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True, reviewed_on__isnull=True)
                | Q(reviewed_by__isnull=False, reviewed_on__isnull=False),
                name="article_review_has_reviewer_and_date",
                violation_error_message="Give both the reviewing surgeon and the date of the review, or neither.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("education:article", args=[self.slug])

    @cached_property
    def rendered(self) -> RenderedMarkdown:
        return render_markdown(self.body)

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(len(re.findall(r"\w+", self.body)) / WORDS_PER_MINUTE))
