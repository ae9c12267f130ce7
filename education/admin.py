from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from education.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "published", "reviewed_by", "reviewed_on", "updated_on"]
    list_filter = ["published", "category", "reviewed_by"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["related_procedures"]
    date_hierarchy = "updated_on"
    fieldsets = [
        (None, {"fields": ["title", "slug", "category", "summary", "body"]}),
        ("Review and publishing", {"fields": [("reviewed_by", "reviewed_on"), "updated_on", "published"]}),
        ("Links", {"fields": ["related_procedures"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).select_related("reviewed_by")
