"""`python manage.py import_csv KIND FILE [--dry-run]`: all or nothing, every bad row reported."""

from django.core.management.base import BaseCommand, CommandError

from organisation.importing import KINDS, import_csv


class Command(BaseCommand):
    help = (
        "Import a UTF-8 CSV file with DESIGN.md's header for KIND. A file with any bad row imports "
        "nothing: every bad row is printed as 'line N: column: reason' and the command exits non-zero. "
        "Rows are matched by their natural key (code, username, reference…), so importing the same "
        "file again changes nothing."
    )

    def add_arguments(self, parser):
        kinds = ", ".join(sorted(KINDS))
        parser.add_argument("kind", help=f"what the file holds: one of {kinds}")
        parser.add_argument("file", help="path to the CSV file (UTF-8, header row, dates YYYY-MM-DD)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="validate every row and report what would change, then save nothing",
        )

    def handle(self, *args, kind, file, dry_run, **options):
        if kind not in KINDS:
            raise CommandError(f"Unknown kind '{kind}'; choose one of: {', '.join(sorted(KINDS))}.")
        try:
            report = import_csv(kind, file, dry_run=dry_run)
        except OSError as e:
            raise CommandError(f"Cannot read {file}: {e.strerror or e}.") from None
        for line in report.shown_errors():
            self.stderr.write(line)
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
