"""Queue the reminder e-mails now due. Run every few minutes by a scheduler or cron; safe to run twice, or twice at
once: each reminder is sent at most once (see consultations.notify.reminders)."""

from django.core.management.base import BaseCommand

from consultations.notify.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Queue the reminders due now: 48 hours before a confirmed consultation, 72 hours before an unsent history."

    def handle(self, *args: object, **options: object) -> None:
        queued = send_due_reminders()
        if options["verbosity"]:
            self.stdout.write(f"Queued {queued} reminder{'' if queued == 1 else 's'}.")
