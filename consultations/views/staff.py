"""Placeholders for the staff workspaces; the front-desk and surgeon issues fill them in."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clinic.roles import ADMIN, FRONT_DESK, SURGEON, role_required


@require_GET
@role_required(FRONT_DESK, ADMIN)
def desk_today(request: HttpRequest) -> HttpResponse:
    return render(request, "consultations/desk_today.html")


@require_GET
@role_required(SURGEON)
def surgeon_home(request: HttpRequest) -> HttpResponse:
    return render(request, "consultations/surgeon_home.html")
