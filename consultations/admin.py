from django.contrib import admin

from consultations.models import AvailabilityRule, Consultation, Patient, TimeOff


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
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["surgeon", "start", "end", "reason"]
    list_filter = ["surgeon"]


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "email", "phone"]
    search_fields = ["last_name", "first_name", "email", "phone"]


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    """Edits here meet the same exclusion constraint as every other path: an overlap is a form error."""

    list_display = ["reference", "surgeon", "location", "start", "status", "visit_type"]
    list_filter = ["status", "surgeon", "location"]
    list_select_related = ["surgeon", "location"]
    search_fields = ["patient__last_name", "patient__email"]
    raw_id_fields = ["patient"]
    readonly_fields = ["public_id", "sequence", "created_at", "updated_at"]
    date_hierarchy = "start"
