"""`python manage.py remind_feedback_handover [--today YYYY-MM-DD]`: email practitioners about feedback
links from closed cases they have not handed over within 10 working days (each link reminded once)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from feedback.links import feedback_handover_reminders_send


class Command(BaseCommand):
    help = (
        "Email each practitioner once about feedback links from their closed cases not handed over within "
        "10 working days (weekends and England and Wales bank holidays excluded). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to count from, YYYY-MM-DD (default: today)")

    def handle(self, *args, today=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(f"--today {today!r} is not a date: use YYYY-MM-DD") from exc
        sent = feedback_handover_reminders_send(today=day)
        self.stdout.write(f"Reminded {sent} practitioner{'s' if sent != 1 else ''}.")
