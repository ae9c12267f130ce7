"""A page whose query is wrong (not an outage), for the 500-versus-503 test."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path


def broken(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM no_such_table")
    return HttpResponse("unreachable")


urlpatterns = [path("broken/", broken)]
handler500 = "clinic.views.server_error"
