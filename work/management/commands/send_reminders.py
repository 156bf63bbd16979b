"""python manage.py send_reminders [--today YYYY-MM-DD]: the daily digests and escalations, then send."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from work.reminders import ESCALATE_AFTER_WORKING_DAYS, send_reminders


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today {value!r} is not a date: write it as YYYY-MM-DD, such as 2026-03-02") from None


class Command(BaseCommand):
    help = (
        "Queue today's digest for each person with work overdue or due within 7 days (one mail each, none "
        f"when there is nothing), escalate to the region's service managers work {ESCALATE_AFTER_WORKING_DAYS} "
        "working days overdue (once per item), and send every mail still waiting through EMAIL_URL. "
        "Running it twice on one day sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=str, help="The day to run for (YYYY-MM-DD); default today.")

    def handle(self, *args, **options):
        today = _date(options["today"]) if options.get("today") else timezone.localdate()
        report = send_reminders(today=today)
        self.stdout.write(
            f"{today.isoformat()}: {report.digests} digest(s) and {report.escalations} escalation mail(s) queued "
            f"({report.escalated_items} item(s) escalated); {report.sent} mail(s) sent."
        )
        if report.waiting:
            raise CommandError(
                f"{report.waiting} mail(s) could not be sent (is the mail server in EMAIL_URL up?). "
                "They stay queued: the next run sends them."
            )
