"""The desk's "possible spam" page: open requests grouped by where they came from, each group cancelled at once."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from clinic.roles import ADMIN, FRONT_DESK, role_required
from consultations.desk import spam
from consultations.desk.forms import SpamGroupForm


@role_required(FRONT_DESK, ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def desk_spam(request: HttpRequest) -> HttpResponse:
    form = SpamGroupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        cancelled = spam.cancel_group(
            kind=data["kind"], key=data["key"], public_ids=data["requests"], by=request.user, as_spam=data["as_spam"]
        )
        told = "without e-mailing anyone" if data["as_spam"] else "and e-mailed each contact"
        messages.success(request, f"Cancelled {len(cancelled)} request{'s' if len(cancelled) != 1 else ''} {told}.")
        return redirect("consultations:desk-spam")
    if form.is_bound:
        messages.error(request, "Nothing was cancelled: the form was incomplete. Please try again from this page.")
    context = {"groups": spam.possible_spam(), "minimum": spam.minimum_group_size()}
    return render(request, "consultations/desk/spam.html", context, status=400 if form.is_bound else 200)
