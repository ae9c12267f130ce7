from django.contrib import admin
from django.urls import include, path

from clinic import views

clinic_patterns = [
    path("", views.home, name="home"),
    path("surgeons/", views.surgeon_list, name="surgeon-list"),
    path("surgeons/<slug:slug>/", views.surgeon_detail, name="surgeon-detail"),
    path("surgeons/<slug:slug>/photo/", views.surgeon_photo, name="surgeon-photo"),
    path("desk/credentials/", views.credentials_to_reverify, name="credentials-reverify"),
    path("accounts/sign-in/", views.sign_in, name="sign-in"),
    path("accounts/sign-out/", views.sign_out, name="sign-out"),
    path("accounts/second-factor/", views.second_factor, name="second-factor"),
    path("accounts/enrol/", views.enrol, name="enrol"),
    path("accounts/start/", views.start, name="start"),
]

urlpatterns = [
    path("", include((clinic_patterns, "clinic"))),
    path("", include("consultations.urls")),
    path("learn/", include("education.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
