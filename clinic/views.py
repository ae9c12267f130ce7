from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import login as otp_login

from clinic import outage, ratelimit, services
from clinic.forms import NO_AUTHENTICATOR, CodeForm, DirectoryFilterForm, EnrolForm, InvitationPasswordForm, SignInForm
from clinic.models import Credential, StaffInvitation, Surgeon, SurgeonProcedure
from clinic.roles import ADMIN, FRONT_DESK, role_required, second_factor_url, start_url
from clinic.schema import json_for_script, physician_json_ld
from consultations.booking.availability import first_free_slots


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "clinic/privacy.html")


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "clinic/home.html")


@require_safe
def surgeon_list(request: HttpRequest) -> HttpResponse:
    listed = Surgeon.objects.listed()
    form = DirectoryFilterForm(request.GET or None, languages=listed.languages())
    surgeons = list(form.filter(listed).for_directory() if form.is_bound else listed.for_directory())
    first_free = first_free_slots([surgeon.pk for surgeon in surgeons if surgeon.accepts_new_patients])
    cards = [(surgeon, first_free.get(surgeon.pk)) for surgeon in surgeons]
    return render(request, "clinic/surgeon_list.html", {"form": form, "cards": cards})


@require_safe
def surgeon_detail(request: HttpRequest, slug: str) -> HttpResponse:
    surgeon = get_object_or_404(
        Surgeon.objects.listed().prefetch_related(
            "locations",
            "credentials",
            Prefetch("surgeon_procedures", SurgeonProcedure.objects.select_related("procedure")),
        ),
        slug=slug,
    )
    credentials = {kind: [] for kind in Credential.Kind}
    # Inactive or revoked credentials are history, not something to show patients.
    for credential in surgeon.credentials.all():
        if credential.status == Credential.Status.ACTIVE:
            credentials[credential.kind].append(credential)
    context = {
        "surgeon": surgeon,
        "credentials": {Credential.Kind(kind).label: found for kind, found in credentials.items()},
        "json_ld": json_for_script(physician_json_ld(surgeon, request.build_absolute_uri(surgeon.get_absolute_url()))),
    }
    return render(request, "clinic/surgeon_detail.html", context)


@require_safe
def surgeon_photo(request: HttpRequest, slug: str) -> FileResponse:
    surgeon = get_object_or_404(Surgeon.objects.listed().exclude(photo=""), slug=slug)
    try:
        photo = surgeon.photo.open("rb")
    except FileNotFoundError as error:
        raise Http404("The photo file is missing.") from error
    response = FileResponse(photo, content_type="image/jpeg")
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response


@role_required(FRONT_DESK, ADMIN)
@require_safe
def credentials_to_reverify(request: HttpRequest) -> HttpResponse:
    credentials = (
        Credential.objects.needing_reverification().select_related("surgeon").order_by("expires_on", "verified_on")
    )
    return render(request, "clinic/credentials_to_reverify.html", {"credentials": credentials})


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page, or the plain 503 page when what failed was the database (in a middleware too)."""
    if outage.database_is_down():
        return outage.unavailable_response()
    return defaults.server_error(request)


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def _next_url(request: HttpRequest) -> str:
    """The page asked for before signing in, if it is one of ours; else the role's start page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return start_url(request.user) if request.user.is_authenticated else ""


@ratelimit.limit_anonymous_writes("sign-in")
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        auth_login(request, form.get_user())
        return redirect(second_factor_url(_next_url(request)))
    return render(request, "registration/sign_in.html", {"form": form, "next": _next_url(request)})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.success(request, "You are signed out.")
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_safe
@login_required
def start(request: HttpRequest) -> HttpResponse:
    return redirect(start_url(request.user))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def second_factor(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next_url(request))
    if services.confirmed_authenticator(request.user) is None:
        # Signed in with a password before an admin reset the second factor: only a new invitation helps.
        auth_logout(request)
        messages.error(request, NO_AUTHENTICATOR)
        return redirect("clinic:sign-in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.check_second_factor(user=request.user, code=form.cleaned_data["code"])
        except services.TooManyAttempts:
            form.add_error("code", "Too many wrong codes. Wait a minute, then enter the newest code.")
        except services.WrongCode:
            form.add_error("code", "That code did not match. Codes change every 30 seconds: enter the newest one.")
        else:
            otp_login(request, device)
            return redirect(_next_url(request))
    return render(request, "registration/second_factor.html", {"form": form, "next": _next_url(request)})


# The invitation whose password step this browser has done, so that its authenticator step follows.
INVITATION_SESSION_KEY = "enrolment_invitation"
UNUSABLE = {
    services.InvitationUnknown: ("unknown", 404),
    services.InvitationUsed: ("used", 410),
    services.InvitationExpired: ("expired", 410),
}


def _unusable(request: HttpRequest, error: Exception) -> HttpResponse:
    reason, status = UNUSABLE[type(error)]
    context = {"reason": reason, "hours": settings.STAFF_INVITATION_HOURS}
    return render(request, "registration/invitation_unusable.html", context, status=status)


@ratelimit.limit_anonymous_writes("sign-in")
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def enrol(request: HttpRequest, invitation: str) -> HttpResponse:
    """An admin's one-time invitation: first the person's own password, then their authenticator app; the first
    code from it uses up the invitation and signs them in."""
    try:
        found = services.open_invitation(token=invitation)
    except tuple(UNUSABLE) as error:
        return _unusable(request, error)
    if request.session.get(INVITATION_SESSION_KEY) == found.pk and "new_password1" not in request.POST:
        return _enrol_authenticator(request, found)
    form = InvitationPasswordForm(found.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form.save()
        request.session[INVITATION_SESSION_KEY] = found.pk
        return redirect(request.path)
    context = {"form": form, "invited": found.user}
    return render(request, "registration/invitation_password.html", context, status=400 if form.is_bound else 200)


def _enrol_authenticator(request: HttpRequest, invitation: StaffInvitation) -> HttpResponse:
    user = invitation.user
    device = services.start_enrolment(user=user)
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            backup_codes = services.enrol_by_invitation(
                invitation=invitation, device=device, code=form.cleaned_data["code"]
            )
        except services.WrongCode:
            form.add_error("code", "That code did not match. Check the app shows this site's entry and try again.")
        except (services.InvitationUsed, services.InvitationExpired) as error:
            return _unusable(request, error)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            request.session.pop(INVITATION_SESSION_KEY, None)
            context = {"backup_codes": backup_codes, "next": start_url(user)}
            return render(request, "registration/backup_codes.html", context)
    qr = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    context = {
        "form": form,
        # The SVG is generated by qrcode from our own URL, not from user input.
        "qr_svg": mark_safe(qr.to_string(encoding="unicode")),
        "secret": _grouped(b32encode(device.bin_key).decode()),
    }
    return render(request, "registration/enrol.html", context, status=400 if form.is_bound else 200)


def _grouped(secret: str) -> str:
    """The key in groups of four, as authenticator apps ask it to be typed."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
