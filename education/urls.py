from django.urls import path

from education import views

app_name = "education"

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("self-check/", views.self_check, name="self-check"),
    path("<slug:slug>/", views.article, name="article"),
]
