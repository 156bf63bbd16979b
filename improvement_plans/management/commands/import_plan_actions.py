"""Import a plan's actions from CSV, all or nothing (see improvement_plans/importing.py for the columns)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from improvement_plans.importing import actions_import
from improvement_plans.models import Plan


class Command(BaseCommand):
    help = (
        "Import actions of plan PLAN_ID from FILE (CSV columns: objective_ref,action_ref,how,owners,due_on,"
        "due_phrase,status,rag[,review_on]). A file with any bad line imports nothing, prints every bad line "
        "as 'line N: column: reason' and exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("plan_id", type=int)
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; change nothing")

    def handle(self, *args, plan_id, file, dry_run, **options):
        plan = Plan.objects.filter(pk=plan_id).first()
        if plan is None:
            raise CommandError(f"No plan with id {plan_id}")
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text") from None
        report = actions_import(plan=plan, text=text, today=timezone.localdate(), dry_run=dry_run)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(f"Nothing imported: {len(report.errors)} problem(s) in {file}")
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} {report.new} new and {report.updated} changed actions"))
