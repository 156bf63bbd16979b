"""`python manage.py schedule_audits [--dry-run] [--seed S] [--today YYYY-MM-DD]`: top up audits."""

import datetime
import random

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audits.services.scheduling import DUE_WORKING_DAYS, TARGET, TARGET_COLLABORATIVE, schedule_audits


def default_seed(today: datetime.date) -> int:
    """The seed when none is given: the day, so a dry run previews exactly what a real run that day does."""
    return int(today.strftime("%Y%m%d"))


class Command(BaseCommand):
    help = (
        f"Schedule audits so every active practitioner has at least {TARGET} audits of their cases in a "
        f"rolling 12 months ({TARGET_COLLABORATIVE} where collaborative feedback applies): cases drawn at "
        "random from their open caseload, each given an auditor of the case's region who is not allocated "
        f"to it, due in {DUE_WORKING_DAYS} working days, on the current 'standard' template. "
        "Idempotent: a second run the same day schedules nothing more. Prints what it scheduled and who "
        "could not be scheduled, and why."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print what would be scheduled, and save nothing")
        parser.add_argument(
            "--seed",
            type=int,
            help="seed for the random draws (default: the day as YYYYMMDD, so a dry run and a real run agree)",
        )
        parser.add_argument("--today", metavar="YYYY-MM-DD", help="the day to schedule as of (default: today)")

    def handle(self, *args, dry_run, seed, today, **options):
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today {today!r} is not a date: use YYYY-MM-DD, such as 2025-06-01.") from None
        else:
            day = timezone.localdate()
        seed = default_seed(day) if seed is None else seed
        try:
            report = schedule_audits(today=day, rng=random.Random(seed), dry_run=dry_run)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None

        verb = "Would schedule" if dry_run else "Scheduled"
        for item in report.scheduled:
            self.stdout.write(
                f"{verb}: {item.case.reference} of {item.practitioner} ({item.practitioner.username}), "
                f"auditor {item.auditor} ({item.auditor.username}), due {item.due_on:%Y-%m-%d}"
            )
        for item in report.unscheduled:
            self.stdout.write(
                f"Could not schedule {item.shortfall - item.scheduled} of {item.shortfall} for "
                f"{item.practitioner} ({item.practitioner.username}): {item.reason}"
            )
        summary = (
            f"{verb} {len(report.scheduled)} audit{'' if len(report.scheduled) == 1 else 's'} as of "
            f"{day:%Y-%m-%d} (seed {seed}); {report.practitioners} practitioners, {report.on_target} already "
            f"on target, {len(report.unscheduled)} could not be fully scheduled."
        )
        self.stdout.write(self.style.SUCCESS(summary) if not report.unscheduled else self.style.WARNING(summary))
