from django.contrib import admin
from django.contrib.sitemaps import GenericSitemap
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from clinic import views
from clinic.models import Surgeon
from education import views as education_views
from education.sitemaps import ArticleSitemap, PageSitemap

clinic_patterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("surgeons/", views.surgeon_list, name="surgeon-list"),
    path("surgeons/<slug:slug>/", views.surgeon_detail, name="surgeon-detail"),
    path("surgeons/<slug:slug>/photo/", views.surgeon_photo, name="surgeon-photo"),
    path("desk/credentials/", views.credentials_to_reverify, name="credentials-reverify"),
    path("accounts/sign-in/", views.sign_in, name="sign-in"),
    path("accounts/sign-out/", views.sign_out, name="sign-out"),
    path("accounts/second-factor/", views.second_factor, name="second-factor"),
    path("accounts/enrol/<str:invitation>/", views.enrol, name="enrol"),
    path("accounts/start/", views.start, name="start"),
]

sitemaps = {
    "pages": PageSitemap(
        ["clinic:home", "clinic:privacy", "clinic:surgeon-list", "education:index", "education:self-check"]
    ),
    "surgeons": GenericSitemap({"queryset": Surgeon.objects.listed()}, priority=0.8, changefreq="weekly"),
    "articles": ArticleSitemap,
}

urlpatterns = [
    path("", include((clinic_patterns, "clinic"))),
    path("", include("consultations.urls")),
    path("learn/", include("education.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("robots.txt", education_views.robots_txt, name="robots"),
    path("admin/", admin.site.urls),
]

handler500 = "clinic.views.server_error"
