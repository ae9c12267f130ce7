from django.urls import path

from consultations import views

app_name = "consultations"

urlpatterns = [
    path("request/", views.request_start, name="request"),
    path("desk/", views.desk_today, name="desk-today"),
    path("surgeon/", views.surgeon_home, name="surgeon-home"),
]
