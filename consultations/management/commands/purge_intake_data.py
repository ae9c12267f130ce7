"""Remove intake data INTAKE_RETENTION_YEARS after each patient's last consultation (consultations.retention).
Run it from a scheduler, say monthly; `--dry-run` reports what would go and changes nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from consultations.retention import purge_intake_data, years_before


class Command(BaseCommand):
    help = (
        "Remove the intake histories, questionnaire answers, uploads, insurance and referrals of patients whose "
        "last consultation ended more than DJANGO_INTAKE_RETENTION_YEARS ago. The access log is kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report what would be removed; remove nothing.")

    def handle(self, *args: object, dry_run: bool, **options: object) -> None:
        years = settings.INTAKE_RETENTION_YEARS
        cutoff = years_before(timezone.now(), years)
        report = purge_intake_data(cutoff=cutoff, dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(
            f"{verb} the intake data of {report.patients} patient{'' if report.patients == 1 else 's'} whose last "
            f"consultation ended before {cutoff:%Y-%m-%d} ({years} years ago)."
        )
        for kind, count in sorted(report.removed.items()):
            self.stdout.write(f"  {kind}: {count}")
