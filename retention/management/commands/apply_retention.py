"""`python manage.py apply_retention [--dry-run]`: anonymise cases closed longer than RETENTION_YEARS."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from retention.services import retention_apply


class Command(BaseCommand):
    help = (
        "Anonymise every case closed more than RETENTION_YEARS ago: children's labels and characteristics "
        "and all free text (evidence, rationale, reflective responses, moderation notes, learning actions, "
        "feedback comments) are cleared, in history too, while grades, counts and dates stay, so the "
        "dashboards do not change. Also deletes access and sign-in records older than "
        "ACCESS_LOG_RETENTION_DAYS. Idempotent: a case is done once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would change, change nothing")
        parser.add_argument("--today", help="the date to count back from, YYYY-MM-DD (default: today)")

    def handle(self, *args, dry_run, today, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today {today!r} is not a date: use YYYY-MM-DD.") from None
        report = retention_apply(today=day, dry_run=dry_run)
        for line in report.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was changed."))
