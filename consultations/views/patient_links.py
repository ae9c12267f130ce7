"""The way back to a lost or expired link: the patient gives their e-mail address and date of birth, and the
answer is the same whether or not we know them; only a match gets an e-mail."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from clinic import ratelimit
from consultations.booking import services
from consultations.booking.forms import ResendLinkForm


@ratelimit.limit_anonymous_writes("link-resend")
@require_http_methods(["GET", "HEAD", "POST"])
def resend_link(request: HttpRequest) -> HttpResponse:
    form = ResendLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not ratelimit.count(bucket="link-resend-email", key=ratelimit.email_key(email)).exceeded:
            services.resend_links(email=email, date_of_birth=form.cleaned_data["date_of_birth"])
        return redirect("consultations:resend-link-sent")
    return render(request, "consultations/resend_link.html", {"form": form}, status=400 if form.is_bound else 200)


@require_safe
def resend_link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "consultations/resend_link_sent.html")
