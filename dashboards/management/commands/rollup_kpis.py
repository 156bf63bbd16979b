"""Recompute the KPI snapshots in the foreground: everything, or one region's month."""

from django.core.management.base import BaseCommand, CommandError

from dashboards.models import CriterionSnapshot
from dashboards.rollup import rollup_all, rollup_slice
from organisation.models import Region
from organisation.months import MonthError, parse_month


class Command(BaseCommand):
    help = (
        "Recompute the KPI snapshot tables from the audit and case tables (idempotent). "
        "With no options, or --full, rebuilds the KPI, template, moderation, feedback and theme snapshots "
        "(as the nightly job does: the criterion, practitioner and characteristic snapshots only for the "
        "months whose audits changed); --full --criteria also rebuilds every one of those (as the weekly "
        "job does; it reads every judgement); "
        "with --region CODE --month YYYY-MM, recomputes that one slice, criteria included."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="Rebuild every KPI and moderation snapshot (the default)"
        )
        parser.add_argument("--region", metavar="CODE", help="Region code of the slice to recompute")
        parser.add_argument("--month", metavar="YYYY-MM", help="Month of the slice to recompute")
        parser.add_argument(
            "--criteria", action="store_true", help="With --full: rebuild every criterion snapshot too (slow at scale)"
        )

    def handle(self, *args, full, region, month, criteria, **options):
        if full and (region or month):
            raise CommandError("Use either --full or --region with --month, not both.")
        if criteria and (region or month):
            raise CommandError("--criteria goes with --full: one slice always recomputes its criteria.")
        if bool(region) != bool(month):
            raise CommandError("--region and --month go together: give both to recompute one slice.")
        if region:
            try:
                day = parse_month(month)
            except MonthError:
                raise CommandError(f"--month {month!r} is not a month: use YYYY-MM, such as 2025-06.") from None
            found = Region.objects.filter(code=region).first()
            if found is None:
                raise CommandError(f"There is no region with the code {region!r}.")
            rows = rollup_slice(region_id=found.pk, month=day)
            self.stdout.write(f"Recomputed {found.name}, {day:%B %Y}: {rows} team rows.")
            return
        rows = rollup_all(criteria=criteria)
        self.stdout.write(f"Rebuilt every KPI snapshot: {rows} (region, team, month) rows.")
        if criteria:
            self.stdout.write(f"Rebuilt every criterion snapshot: {CriterionSnapshot.objects.count()} rows.")
