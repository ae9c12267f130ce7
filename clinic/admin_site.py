from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp.admin import OTPAdminSite


class ClinicAdminSite(OTPAdminSite):
    """Admins sign in through the site's own pages, second factor included; no second login form."""

    site_header = "Practice administration"
    site_title = "Practice administration"

    def __init__(self, name: str = "admin") -> None:
        AdminSite.__init__(self, name)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        next_url = request.GET.get("next") or reverse("admin:index")
        if self.has_permission(request):
            return redirect(
                next_url if url_has_allowed_host_and_scheme(next_url, {request.get_host()}) else "admin:index"
            )
        return redirect(f"{reverse('clinic:sign-in')}?{urlencode({'next': next_url})}")
