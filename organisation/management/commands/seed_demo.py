"""Load a realistic synthetic organisation with demo users; safe to run again (idempotent)."""

import importlib
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from organisation.demo import DEMO_PASSWORD

# Each app adds its own demo data in <app>/demo.py: seed(*, stdout, rng) -> dict.
# Order follows the import directions of DESIGN.md.
DEMO_MODULES = [
    "organisation.demo",
    "cases.demo",
    "audits.demo",
    "audits.demo_programmes",
    "feedback.demo",
    "dashboards.demo",
    "improvement_plans.demo",
]


class Command(BaseCommand):
    help = "Load demo regions, teams, people, cases, audits and plans; prints the demo logins. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2021, help="Random seed (the same seed gives the same data)")

    def handle(self, *args, seed, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", True):
            raise CommandError(
                "seed_demo refuses to run under production settings: it creates users whose password "
                "is published in the README. Use the local or test settings for demo data."
            )
        rng = random.Random(seed)
        logins = []
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            with transaction.atomic():
                result = module.seed(stdout=self.stdout, rng=rng) or {}
            logins += result.get("logins", [])
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Demo logins (demo only):"))
        for username, roles, where in logins:
            self.stdout.write(f"  {username:<14} {DEMO_PASSWORD}   {roles} ({where})")
