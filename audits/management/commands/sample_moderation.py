"""`python manage.py sample_moderation [--share 0.05] [--seed S] [--dry-run]`: top up the moderation sample."""

import datetime
import random

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from audits.services.moderation import moderation_draw


class Command(BaseCommand):
    help = (
        "Draw completed audits at random for moderation until the sample is SHARE of all completed "
        "audits, each given a moderator: an auditor of the audit's region who is neither its auditor "
        "nor the practitioner. Idempotent: a second run draws nothing more until more audits complete. "
        "Prints how many were drawn and how many completed audits have no eligible moderator."
    )

    def add_arguments(self, parser):
        default = getattr(settings, "AUDIT_MODERATION_SHARE", 0.05)
        parser.add_argument(
            "--share",
            type=float,
            default=default,
            help=f"share of completed audits to moderate, 0 to 1 (default {default})",
        )
        window = getattr(settings, "AUDIT_MODERATION_WINDOW_DAYS", 91)
        parser.add_argument(
            "--days",
            type=int,
            default=window,
            help=f"sample audits completed in the last DAYS days only; 0 for all (default {window})",
        )
        parser.add_argument("--seed", type=int, help="seed for the random draws (default: today as YYYYMMDD)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="draw as a real run would, print the result, and roll everything back",
        )

    def handle(self, *args, share, days, seed, dry_run, **options):
        today = timezone.localdate()
        if seed is None:
            seed = int(today.strftime("%Y%m%d"))
        if days < 0:
            raise CommandError("--days must be 0 (all completed audits) or more.")
        since = today - datetime.timedelta(days=days) if days else None
        try:
            with transaction.atomic():
                draw = moderation_draw(share=share, rng=random.Random(seed), since=since)
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None

        verb = "Would draw" if dry_run else "Drew"
        self.stdout.write(
            f"{verb} {len(draw.created)} audit{'' if len(draw.created) == 1 else 's'} for moderation "
            f"(seed {seed}): target {draw.target} of {draw.completed} audits completed "
            f"{f'since {since:%Y-%m-%d}' if since else 'ever'} at share {share:g}, "
            f"{draw.already} already sampled."
        )
        for moderation in draw.created:
            self.stdout.write(f"  audit {moderation.audit_id}: moderator {moderation.moderator.username}")
        self.stdout.write(f"Left without an eligible moderator: {draw.without_moderator} completed audits.")
        if draw.short:
            self.stdout.write(
                self.style.WARNING(f"The sample is {draw.short} short of its target: too few audits can be moderated.")
            )
