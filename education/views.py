from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from clinic import ratelimit
from clinic.models import Procedure, Surgeon
from clinic.schema import json_for_script
from education.forms import MAX_QUERY_LENGTH, SearchForm, SelfCheckForm
from education.models import Article
from education.rendering import marked_snippet
from education.schema import medical_web_page_json_ld


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.published().only("title", "slug", "category", "summary")
    by_category = {category: [] for category in Article.Category}
    for article in articles:
        by_category[article.category].append(article)
    categories = [(Article.Category(key).label, found) for key, found in by_category.items() if found]
    return render(request, "education/index.html", {"categories": categories, "form": SearchForm()})


@require_safe
def article(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(
        Article.objects.published()
        .select_related("reviewed_by")
        .prefetch_related(Prefetch("related_procedures", Procedure.objects.order_by("name"))),
        slug=slug,
    )
    procedures = article.related_procedures.all()
    surgeons = (
        Surgeon.objects.listed().filter(procedures__in=[p.pk for p in procedures]).distinct() if procedures else []
    )
    url = request.build_absolute_uri(article.get_absolute_url())
    reviewer_url = (
        request.build_absolute_uri(article.reviewed_by.get_absolute_url())
        if article.reviewed_by and article.reviewed_by.is_listed
        else None
    )
    context = {
        "article": article,
        "procedures": procedures,
        "surgeons": surgeons,
        "json_ld": json_for_script(medical_web_page_json_ld(article, url=url, reviewer_url=reviewer_url)),
    }
    return render(request, "education/article.html", context)


@dataclass(frozen=True)
class SearchResult:
    article: Article
    snippet: SafeString


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    results, fuzzy = [], False
    if text:
        found = Article.objects.published().search(text)
        results = [SearchResult(found_article, marked_snippet(found_article.headline)) for found_article in found]
        if not results:
            fuzzy = True
            similar = Article.objects.published().similar_to(text)[:10]
            results = [SearchResult(found_article, marked_snippet(found_article.summary)) for found_article in similar]
    context = {
        "form": form,
        "text": text,
        "results": results,
        "fuzzy": fuzzy,
        "shortened": getattr(form, "shortened", False),
        "max_length": MAX_QUERY_LENGTH,
    }
    return render(request, "education/search.html", context)


@ratelimit.limit_anonymous_writes("self-check")
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def self_check(request: HttpRequest) -> HttpResponse:
    """Nothing answered here is stored, logged or put in the session; the answers live for this request only."""
    if request.method != "POST":
        return render(request, "education/self_check.html", {"form": SelfCheckForm()})
    form = SelfCheckForm(request.POST)
    advice = form.advice()
    if advice.is_urgent:
        return render(request, "education/self_check_urgent.html", {"advice": advice})
    if not form.is_valid():
        return render(request, "education/self_check.html", {"form": form}, status=400)
    slugs = form.suggested_slugs()
    found = {a.slug: a for a in Article.objects.published().filter(slug__in=slugs).only("title", "slug", "summary")}
    articles = [found[slug] for slug in slugs if slug in found]
    return render(request, "education/self_check_result.html", {"articles": articles})


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Search engines may read every public page; staff pages are no business of theirs."""
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('clinic:sign-in')}",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
