"""`python manage.py access_report --case REF`: who viewed a case, its audits and feedback, when, from where."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from organisation.models import AccessRecord


class Command(BaseCommand):
    help = (
        "Print every recorded view of the case REF and of its audits and feedback (and admin pages), "
        "oldest first: when (local time), who, what, from which address and page. Records are kept "
        "ACCESS_LOG_RETENTION_DAYS days."
    )

    def add_arguments(self, parser):
        parser.add_argument("--case", required=True, metavar="REF", help="the case reference")

    def handle(self, *args, case, **options):
        reference = case.strip()
        if not reference or "\x00" in reference:
            raise CommandError("Give a case reference, such as --case NE-2025-0001.")
        records = AccessRecord.objects.filter(case_reference=reference).order_by("at", "pk")
        count = 0
        for record in records.iterator():
            count += 1
            what = record.get_kind_display().lower()
            if record.kind != AccessRecord.Kind.CASE:
                what = f"{what} {record.object_id}"
            at = timezone.localtime(record.at)
            self.stdout.write(
                f"{at:%Y-%m-%d %H:%M:%S}  {record.username}  {what}  from {record.ip_address or 'unknown address'}  "
                f"{record.path}"
            )
        days = settings.ACCESS_LOG_RETENTION_DAYS
        if count:
            self.stdout.write(self.style.SUCCESS(f"{count} views of case {reference} (records kept {days} days)."))
        else:
            self.stdout.write(f"No views of case {reference} recorded in the last {days} days.")
