"""`python manage.py draw_programme --name NAME --template SLUG --size N ...`: define and draw a programme."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from audits.models import AuditTemplate, Programme
from audits.services.programmes import FILTER_KEYS, parse_filter_args, programme_confirm, programme_create
from audits.services.scheduling import due_date
from cases.models import Case
from organisation.models import Region


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"'{value}' is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Define a thematic audit programme and draw its case files: seeded and reproducible, stratified by "
        "region in proportion to eligible cases, never a case with an open audit or (unless --reaudit-of) one "
        "audited in the last 6 months, each given an auditor of the case's region who is not allocated to it, "
        "fewest open audits first. Idempotent by --name: a programme already drawn is reported, not drawn "
        "again. Filter keys (--filter KEY=VALUE, repeatable): " + "; ".join(f"{k}: {v}" for k, v in FILTER_KEYS.items())
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="the programme's name (unique)")
        parser.add_argument("--template", required=True, help="audit template slug, e.g. domestic-abuse")
        size = parser.add_mutually_exclusive_group(required=True)
        size.add_argument("--size", type=int, help="how many case files to draw")
        size.add_argument("--share", type=float, help="or a share (0 to 1) of the eligible cases")
        parser.add_argument(
            "--region", action="append", default=[], metavar="CODE", help="a region code (repeatable); none: national"
        )
        parser.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE", help="a case fact")
        parser.add_argument("--seed", type=int, default=1, help="seed of the draw (default 1)")
        parser.add_argument("--theme", help="the theme (default: the template's name)")
        parser.add_argument(
            "--from", dest="window_start", help="window start YYYY-MM-DD (default: the first case ever received)"
        )
        parser.add_argument("--to", dest="window_end", help="window end YYYY-MM-DD (default: today)")
        parser.add_argument("--due", help="due date of the audits YYYY-MM-DD (default: 20 working days from today)")
        parser.add_argument("--reaudit-of", help="name of the earlier programme of the same theme this re-audits")
        parser.add_argument("--dry-run", action="store_true", help="show the draw and roll everything back")

    def handle(self, *args, **o):
        existing = Programme.objects.filter(name=o["name"]).first()
        if existing is not None and existing.confirmed_at is not None:
            n = existing.audits.count()
            self.stdout.write(
                f"Programme “{existing.name}” was already drawn on {existing.confirmed_at:%Y-%m-%d} "
                f"({n} audits); nothing changed."
            )
            return
        try:
            with transaction.atomic():
                if existing is not None:
                    self.stdout.write(
                        f"Programme “{existing.name}” was defined earlier (not yet drawn): drawing it as defined "
                        "then; the other options given here are not used."
                    )
                programme = existing or self._define(o)
                draw, created = programme_confirm(programme=programme, by=None)
                self._report(draw, dry_run=o["dry_run"])
                if o["dry_run"]:
                    transaction.set_rollback(True)
        except ValidationError as e:
            raise CommandError("\n".join(e.messages)) from None

    def _define(self, o) -> Programme:
        today = timezone.localdate()
        template = AuditTemplate.objects.filter(slug=o["template"], is_current=True).first()
        if template is None:
            known = ", ".join(AuditTemplate.objects.filter(is_current=True).values_list("slug", flat=True))
            raise CommandError(f"unknown audit template '{o['template']}' (known: {known})")
        regions = list(Region.objects.filter(code__in=o["region"]))
        unknown = sorted(set(o["region"]) - {r.code for r in regions})
        if unknown:
            raise CommandError(f"unknown region code(s): {', '.join(unknown)}")
        reaudit_of = None
        if o["reaudit_of"]:
            reaudit_of = Programme.objects.filter(name=o["reaudit_of"]).first()
            if reaudit_of is None:
                raise CommandError(f"no programme named '{o['reaudit_of']}' to re-audit")
        window_end = _date(o["window_end"]) if o["window_end"] else today
        # No --from: every case received by the window's end may be drawn, however long ago it closed.
        earliest = Case.objects.aggregate(first=Min("received_on"))["first"]
        window_start = _date(o["window_start"]) if o["window_start"] else min(earliest or window_end, window_end)
        return programme_create(
            by=None,
            regions=regions,
            name=o["name"],
            theme=o["theme"] or template.name,
            template=template,
            size=o["size"],
            share=None if o["share"] is None else round(o["share"], 3),
            filters=parse_filter_args(o["filter"]),
            seed=o["seed"],
            window_start=window_start,
            window_end=window_end,
            due_on=_date(o["due"]) if o["due"] else due_date(today),
            reaudit_of=reaudit_of,
        )

    def _report(self, draw, *, dry_run: bool) -> None:
        verb = "Would draw" if dry_run else "Drew"
        self.stdout.write(f"{verb} {len(draw.picks)} of {draw.eligible} eligible case files (size {draw.size}).")
        for stratum in draw.strata:
            short = f", {stratum.short} short: no eligible auditor" if stratum.short else ""
            self.stdout.write(f"  {stratum.region.code}: {len(stratum.picks)} of {stratum.eligible} eligible{short}")
            for pick in stratum.picks:
                self.stdout.write(f"    {pick.case.reference}\t{pick.auditor.username}")
