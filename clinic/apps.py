from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Practice"
    default = True


class ClinicAdminConfig(admin_apps.AdminConfig):
    """The Django admin, behind our sign-in and its second factor."""

    default = False
    default_site = "clinic.admin_site.ClinicAdminSite"
