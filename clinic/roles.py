"""Who may do what: the roles of the practice and the one decorator that guards staff pages."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

FRONT_DESK = "front_desk"
SURGEON = "surgeon"
# Practice admins are Django superusers, not a group.
ADMIN = "admin"
GROUPS = (FRONT_DESK, SURGEON)

View = Callable[..., HttpResponse]


def roles_of(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    """Every role the user holds, in one query: the groups, and ADMIN for a superuser."""
    if not user.is_authenticated or not user.is_active:
        return set()
    roles = set(user.groups.filter(name__in=GROUPS).values_list("name", flat=True))
    return roles | {ADMIN} if user.is_superuser else roles


def has_role(user: AbstractBaseUser | AnonymousUser, role: str) -> bool:
    if role == ADMIN:
        # Needs no query.
        return user.is_authenticated and user.is_active and user.is_superuser
    return role in roles_of(user)


def start_url(user: AbstractBaseUser) -> str:
    """Where each role begins after signing in."""
    if user.is_superuser:
        return reverse("admin:index")
    if has_role(user, FRONT_DESK):
        return reverse("consultations:desk-today")
    if has_role(user, SURGEON):
        return reverse("consultations:surgeon-home")
    return reverse("clinic:home")


def second_factor_url(next_url: str) -> str:
    return f"{reverse('clinic:second-factor')}?{urlencode({'next': next_url})}"


def role_required(*roles: str) -> Callable[[View], View]:
    """Signed in, second factor passed, and holding one of `roles`; otherwise sign in or 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.is_verified():
                return redirect(second_factor_url(request.get_full_path()))
            if not any(has_role(request.user, role) for role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    return decorator
