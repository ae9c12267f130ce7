from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.forms import Field
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from consultations.booking.availability import buffer_minutes_in_force
from consultations.models import AvailabilityRule, Consultation, Patient, TimeOff


class PracticeTimeMixin:
    """Date-times in the admin are read and shown in the practice's zone (see StaffSessionMiddleware): say so."""

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs: object) -> Field | None:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateTimeField) and field is not None:
            field.help_text = f"Time in {settings.PRACTICE_TIME_ZONE}."
        return field


@admin.register(AvailabilityRule)
class AvailabilityRuleAdmin(admin.ModelAdmin):
    list_display = [
        "surgeon",
        "location",
        "weekday",
        "start_time",
        "end_time",
        "slot_minutes",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["surgeon", "location", "weekday"]


@admin.register(TimeOff)
class TimeOffAdmin(PracticeTimeMixin, admin.ModelAdmin):
    list_display = ["surgeon", "start", "end", "reason"]
    list_filter = ["surgeon"]


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "email", "phone"]
    search_fields = ["last_name", "first_name", "email", "phone"]
    readonly_fields = ["access_log", "export"]

    @admin.display(description="Access log")
    def access_log(self, patient: Patient) -> str:
        if patient.pk is None:
            return "-"
        url = reverse("consultations:access-log", args=[patient.pk])
        return format_html('<a href="{}">Every view and download of this patient\'s data</a>', url)

    @admin.display(description="Right of access")
    def export(self, patient: Patient) -> str:
        if patient.pk is None:
            return "-"
        url = reverse("consultations:patient-export", args=[patient.pk])
        return format_html('<a href="{}">Download all of this patient\'s data (zip; the download is logged)</a>', url)


class ConsultationAdminForm(forms.ModelForm):
    """A consultation added here keeps the buffer in force clear after it, as one booked anywhere else."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            self.instance.buffer_minutes = buffer_minutes_in_force()


@admin.register(Consultation)
class ConsultationAdmin(PracticeTimeMixin, admin.ModelAdmin):
    """Edits here meet the same exclusion constraint as every other path: an overlap, or a time within a buffer,
    is a form error."""

    form = ConsultationAdminForm

    list_display = ["reference", "surgeon", "location", "start", "status", "visit_type"]
    list_filter = ["status", "surgeon", "location"]
    list_select_related = ["surgeon", "location"]
    search_fields = ["patient__last_name", "patient__email"]
    raw_id_fields = ["patient"]
    readonly_fields = ["public_id", "sequence", "created_at", "updated_at"]
    date_hierarchy = "start"
