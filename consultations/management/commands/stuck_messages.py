"""List the e-mails that are not on their way (failed, or queued with no task left to send them), and with
--send-again queue each once more. Shows references and kinds only, never what a message says."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from consultations.notify import outbox


class Command(BaseCommand):
    help = "List e-mails that failed or are stuck in the queue; --send-again queues them once more."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--send-again", action="store_true", help="Queue every message listed once more.")

    def handle(self, *args: Any, send_again: bool, **options: Any) -> None:
        stuck = list(outbox.stuck_messages())
        if not stuck:
            self.stdout.write("No stuck or failed e-mails.")
            return
        for message in stuck:
            self.stdout.write(
                f"{message.pk}\t{message.consultation.reference}\t{message.kind}\t{message.state}\t"
                f"{message.attempts} attempt(s)\tqueued {message.created_at:%Y-%m-%d %H:%M} UTC\t{message.last_error}"
            )
            if send_again:
                try:
                    outbox.send_again(message=message, by=None)
                except outbox.NotStuck:
                    continue  # sent or picked up since it was listed
        summary = f"{len(stuck)} stuck or failed e-mail(s)"
        self.stdout.write(summary + (", queued again." if send_again else ". Use --send-again to queue them again."))
