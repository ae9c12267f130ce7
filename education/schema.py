"""schema.org data about an article, for search engines reading the article page."""

from education.models import Article


def medical_web_page_json_ld(article: Article, *, url: str, reviewer_url: str | None) -> dict[str, object]:
    """A schema.org `MedicalWebPage`; expects the reviewer selected and related procedures prefetched."""
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "headline": article.title,
        "description": article.summary,
        "url": url,
        "inLanguage": "en-US",
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "dateModified": article.updated_on.isoformat(),
        "about": [
            {"@type": "MedicalProcedure", "name": procedure.name} for procedure in article.related_procedures.all()
        ],
    }
    if article.reviewed_by is not None:
        reviewer: dict[str, object] = {"@type": "Physician", "name": article.reviewed_by.display_name}
        if reviewer_url:
            reviewer["url"] = reviewer_url
        data["reviewedBy"] = reviewer
        data["lastReviewed"] = article.reviewed_on.isoformat()
    return data
