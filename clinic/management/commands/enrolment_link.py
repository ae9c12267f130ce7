"""A one-time enrolment link for a staff account, printed on the host: how the first admin (made with
`createsuperuser`, who cannot sign in before enrolling) gets in. Everyone after is invited from the admin."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinic import services


class Command(BaseCommand):
    help = "Print a one-time link with which a staff account sets its password and authenticator app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, username: str, **options: object) -> None:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        try:
            # Made "by" the person themselves: whoever runs this on the host speaks for them.
            _, token = services.invite_to_enrol(user=user, by=user)
        except services.AlreadyEnrolled as error:
            raise CommandError(
                f"{username} already has an authenticator: reset their second factor in the admin first."
            ) from error
        self.stdout.write(services.invitation_url(token))
