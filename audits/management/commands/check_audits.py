"""`python manage.py check_audits`: list audits that break a grading rule; exit 1 if any. Changes nothing."""

from django.core.management.base import BaseCommand, CommandError

from audits.services.checks import audit_rule_breaches


class Command(BaseCommand):
    help = (
        "List submitted and completed audits that break a grading rule, one line each: an overall grade "
        "above the limiting ceiling (a limiting criterion graded Requires improvement caps it at Requires "
        "improvement), an overall grade that differs from the suggestion with no rationale, or an auditor who "
        "is the case's practitioner. Nothing is changed. Exits 1 when any audit is listed, 0 otherwise."
    )

    def handle(self, *args, **options):
        breaches = audit_rule_breaches()
        for breach in breaches:
            self.stdout.write(breach.line())
        if breaches:
            raise CommandError(f"{len(breaches)} audit rule breach(es) found; nothing was changed.", returncode=1)
        self.stdout.write(self.style.SUCCESS("No audit breaks a grading rule."))
