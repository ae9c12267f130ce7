from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import services
from clinic.models import Credential, Location, Procedure, StaffInvitation, Surgeon, SurgeonProcedure, Technology
from clinic.photos import reencode_photo


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "phone"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["name", "is_minimally_invasive"]
    list_filter = ["is_minimally_invasive"]
    prepopulated_fields = {"slug": ["name"]}


class SurgeonForm(forms.ModelForm):
    technologies = forms.MultipleChoiceField(
        choices=Technology.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Surgeon
        fields = [
            "slug",
            "first_name",
            "last_name",
            "degree",
            "specialty",
            "title",
            "photo",
            "bio",
            "languages",
            "locations",
            "accepts_new_patients",
            "takes_revision_cases",
            "npi",
            "technologies",
            "user",
            "is_listed",
        ]
        widgets = {"locations": forms.CheckboxSelectMultiple}

    def clean_photo(self) -> object:
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            return reencode_photo(photo, name=self.cleaned_data.get("slug") or "surgeon")
        return photo


# Sources are looked up on the web today: a bare host name means https.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class CredentialInline(admin.StackedInline):
    model = Credential
    extra = 0
    formfield_overrides = HTTPS_URLS
    fields = [
        ("kind", "status"),
        ("issuer", "title"),
        ("identifier", "state"),
        ("awarded_on", "expires_on"),
        ("verified_by", "verified_on", "source_url"),
    ]
    autocomplete_fields = ["verified_by"]


class SurgeonProcedureInline(admin.TabularInline):
    model = SurgeonProcedure
    extra = 0


@admin.register(Surgeon)
class SurgeonAdmin(admin.ModelAdmin):
    form = SurgeonForm
    list_display = ["display_name", "specialty", "accepts_new_patients", "takes_revision_cases", "is_listed"]
    list_filter = ["specialty", "degree", "takes_revision_cases", "accepts_new_patients", "is_listed", "locations"]
    search_fields = ["first_name", "last_name", "npi"]
    prepopulated_fields = {"slug": ["first_name", "last_name"]}
    inlines = [SurgeonProcedureInline, CredentialInline]


class ExpiredFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expiry"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("expired", "Expired")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.expired() if self.value() == "expired" else queryset


class ReverificationFilter(admin.SimpleListFilter):
    title = "re-verification"
    parameter_name = "reverify"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("needed", "Needs re-verification")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.needing_reverification() if self.value() == "needed" else queryset


class MarkVerifiedForm(forms.Form):
    source_url = forms.URLField(
        label="Where did you check?",
        assume_scheme="https",
        help_text="The address of the public lookup you checked, e.g. the board's or the state medical board's.",
    )


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ["surgeon", "kind", "title", "issuer", "state", "expires_on", "verified_on", "shows_verified_badge"]
    list_filter = [ExpiredFilter, ReverificationFilter, "kind"]
    list_select_related = ["surgeon"]
    search_fields = ["surgeon__last_name", "title", "issuer", "identifier"]
    autocomplete_fields = ["verified_by"]
    formfield_overrides = HTTPS_URLS
    actions = ["mark_verified"]

    @admin.display(boolean=True, description="verified badge")
    def shows_verified_badge(self, credential: Credential) -> bool:
        return credential.is_verified

    @admin.action(description="Mark verified by me today")
    def mark_verified(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        form = MarkVerifiedForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            count = queryset.update(
                verified_by=request.user, verified_on=timezone.localdate(), source_url=form.cleaned_data["source_url"]
            )
            self.message_user(request, f"Marked {count} credential(s) verified by you today.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Mark verified by me today",
            "form": form,
            "credentials": queryset.select_related("surgeon"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/clinic/credential/mark_verified.html", context)


# Staff accounts: the admin enrols people by invitation and can reset a lost or compromised second factor.
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = [*UserAdmin.list_display, "has_authenticator"]
    actions = ["invite_to_enrol", "reset_second_factor"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(enrolled=Exists(enrolled))

    @admin.display(boolean=True, description="authenticator", ordering="enrolled")
    def has_authenticator(self, user: User) -> bool:
        return user.enrolled

    @admin.action(description="Make an enrolment link (shown once)")
    def invite_to_enrol(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse:
        invited, enrolled = [], []
        for user in queryset:
            try:
                invitation, token = services.invite_to_enrol(user=user, by=request.user)
            except services.AlreadyEnrolled:
                enrolled.append(user)
                continue
            emailed = services.email_invitation(invitation=invitation, token=token)
            invited.append({"invitation": invitation, "link": services.invitation_url(token), "emailed": emailed})
        context = {
            **self.admin_site.each_context(request),
            "title": "Enrolment links",
            "invited": invited,
            "enrolled": enrolled,
            "hours": settings.STAFF_INVITATION_HOURS,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/auth/user/enrolment_links.html", context)

    @admin.action(description="Reset the second factor (a new enrolment link is then needed)")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, "Ask another administrator to reset your own second factor.", messages.ERROR)
            return None
        if "apply" in request.POST:
            for user in queryset:
                services.reset_second_factor(user=user, by=request.user)
            self.message_user(
                request,
                f"Reset the second factor of {len(queryset)} user(s): each needs a new enrolment link to sign in.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reset the second factor?",
            "users": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/auth/user/reset_second_factor.html", context)


@admin.register(StaffInvitation)
class StaffInvitationAdmin(admin.ModelAdmin):
    """Who invited whom, and whether it was used: a record, made only by the user list's action."""

    list_display = ["user", "created_by", "created_at", "expires_at", "used_at"]
    list_select_related = ["user", "created_by"]
    search_fields = ["user__username"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: StaffInvitation | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: StaffInvitation | None = None) -> bool:
        return False
