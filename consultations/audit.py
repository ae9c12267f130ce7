"""Who is acting, and the append-only record of who saw or took a patient's information: access-log entries
for views, downloads, exports and retention purges (DOMAIN.md §7)."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

from clinic.ratelimit import client_address
from clinic.roles import FRONT_DESK, SURGEON, roles_of
from consultations.models import AccessLog, Consultation, Patient

# A cell a spreadsheet would run as a formula (OWASP's list), kept as text by a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Who the access log names for a purge.
PURGE_COMMAND = "purge_intake_data"


def role_of(user: AbstractBaseUser | AnonymousUser) -> str:
    """The role an access is logged under: staff by their role, anyone else through the patient's link."""
    if not user.is_authenticated:
        return AccessLog.Role.PATIENT
    if user.is_superuser:
        return AccessLog.Role.ADMIN
    roles = roles_of(user)
    return next((role for role in (SURGEON, FRONT_DESK) if role in roles), AccessLog.Role.PATIENT)


def access_entry(
    *,
    request: HttpRequest,
    patient_id: int,
    consultation: Consultation | None,
    action: str,
    what: str = "",
    role: str | None = None,
) -> AccessLog:
    """An unsaved access-log row for this request's user, role (looked up unless given) and address (the client's,
    behind the practice's proxies too: `client_address`)."""
    user = request.user if request.user.is_authenticated else None
    return AccessLog(
        user=user,
        username=user.get_username() if user else "",
        role=role or role_of(request.user),
        patient_id=patient_id,
        consultation=consultation,
        action=action,
        what=what,
        ip=client_address(request) or None,
    )


def record_access(*, request: HttpRequest, consultation: Consultation, action: str, what: str = "") -> AccessLog:
    """Write the access-log row for a view or download of a patient's intake, in the same request."""
    entry = access_entry(
        request=request, patient_id=consultation.patient_id, consultation=consultation, action=action, what=what
    )
    entry.save()
    return entry


def record_patient_access(*, request: HttpRequest, patient: Patient, action: str, what: str = "") -> AccessLog:
    """Log a view or export of a patient's data that belongs to no one consultation (their page, their log)."""
    entry = access_entry(request=request, patient_id=patient.pk, consultation=None, action=action, what=what)
    entry.save()
    return entry


def record_export(*, request: HttpRequest, patient: Patient, what: str) -> AccessLog:
    return record_patient_access(request=request, patient=patient, action=AccessLog.Action.EXPORT, what=what)


def csv_cell(value: object) -> str:
    """A value for a CSV download that a spreadsheet shows as text and never runs."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def record_schedule_export(*, request: HttpRequest, consultations: Iterable[Consultation], what: str) -> None:
    """One access-log row per consultation whose patient's name and phone left the system in a download."""
    role = role_of(request.user)
    AccessLog.objects.bulk_create(
        access_entry(
            request=request,
            patient_id=consultation.patient_id,
            consultation=consultation,
            action=AccessLog.Action.EXPORT,
            what=what,
            role=role,
        )
        for consultation in consultations
    )


def record_purge(*, patient_id: int, what: str) -> AccessLog:
    """Log the removal of a patient's intake data after the retention period, done by a command, not a person."""
    return AccessLog.objects.create(
        username=PURGE_COMMAND,
        role=AccessLog.Role.SYSTEM,
        patient_id=patient_id,
        action=AccessLog.Action.PURGE,
        what=what,
    )
