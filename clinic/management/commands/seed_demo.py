"""Fictional demo data: one signed-in user per role, ready to sign in with a second factor."""

from base64 import b32encode
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken

from clinic import roles, services
from clinic.demo import LOCATIONS, seed_practice
from consultations.demo import WEEKS, seed_intakes, seed_schedule, seed_today
from education.demo import seed_articles


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    first_name: str
    last_name: str
    role: str


DEMO_USERS = (
    DemoUser("frontdesk", "frontdesk-demo-pass", "Dana", "Deskworth", roles.FRONT_DESK),
    DemoUser("surgeon", "surgeon-demo-pass", "Sam", "Spinewell", roles.SURGEON),
    DemoUser("admin", "admin-demo-pass", "Alex", "Adminson", roles.ADMIN),
)


class Command(BaseCommand):
    help = (
        "Create fictional demo data: users per role, surgeons, credentials, locations (idempotent). "
        "Refuses to run with DEBUG off unless given --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="run even though DEBUG is off")

    def handle(self, *args: object, force: bool, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off, so this looks like production: seed_demo refuses (use --force).")
        with transaction.atomic():
            sign_ins = [self.seed_user(demo) for demo in DEMO_USERS]
            users = {user.username: user for user in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}
            surgeons = seed_practice(today=timezone.localdate(), verifier=users["admin"], surgeon_user=users["surgeon"])
            # The surgeon user is the demo surgeon: the same name wherever their work shows.
            users["surgeon"].first_name, users["surgeon"].last_name = surgeons[0].first_name, surgeons[0].last_name
            users["surgeon"].save(update_fields=["first_name", "last_name"])
            requests = seed_schedule(surgeons=surgeons, today=timezone.localdate())
            seed_intakes(requests)
            todays = seed_today(surgeons=surgeons, desk=users["frontdesk"], now=timezone.now())
            articles = seed_articles(reviewer_by_slug={s.slug: s for s in surgeons}, today=timezone.localdate())
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Everything in it is fictional."))
        self.stdout.write(
            f"{len(surgeons)} surgeons at {len(LOCATIONS)} locations with clinics for {WEEKS} weeks; "
            f"{len(requests)} consultation requests; {len(todays)} consultations today; {len(articles)} articles; "
            f"the surgeon user is {surgeons[0]}."
        )
        self.stdout.write("Sign in at /accounts/sign-in/ with one of these (all demo values, never use them for real):")
        for demo, (secret, codes) in zip(DEMO_USERS, sign_ins, strict=True):
            self.stdout.write(
                f"\n  {demo.role:<10} username: {demo.username}  password: {demo.password}\n"
                f"             authenticator key: {secret}\n"
                f"             backup codes: {' '.join(codes)}"
            )

    def seed_user(self, demo: DemoUser) -> tuple[str, list[str]]:
        is_admin = demo.role == roles.ADMIN
        user, _ = User.objects.update_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@example.com",
                "is_staff": is_admin,
                "is_superuser": is_admin,
                "is_active": True,
            },
        )
        user.set_password(demo.password)
        user.save(update_fields=["password"])
        if not is_admin:
            user.groups.set([Group.objects.get_or_create(name=demo.role)[0]])

        device = services.confirmed_authenticator(user)
        if device is None:
            device = services.start_enrolment(user=user)
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        codes = list(
            StaticToken.objects.filter(device__user=user, device__confirmed=True).values_list("token", flat=True)
        )
        return b32encode(device.bin_key).decode(), codes or services.issue_backup_codes(user=user)
