"""Every rule about what a role may see or do lives in organisation/visibility.py: no app asks
`user.has_role(...)` itself (queries for the people who hold a role, `groups__name=...`, are
lookups, not rules). The navigation and the home page's cards are declared once
(organisation/navigation.py)."""

import pathlib
import re

from organisation import navigation

ROOT = pathlib.Path(__file__).resolve().parent.parent
APPS = ["organisation", "cases", "audits", "feedback", "dashboards", "improvement_plans", "retention", "work"]
ALLOWED = {
    "organisation/visibility.py",  # the rules
    "organisation/models.py",  # User.has_role itself
}


def test_no_role_check_outside_the_access_module():
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/tests/" in relative or "/migrations/" in relative or relative in ALLOWED:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if re.search(r"\.has_role\(", line):
                    found.append(f"{relative}:{number}: {line.strip()}")
    for path in (ROOT / "templates").rglob("*.html"):
        if re.search(r"has_role|\.roles\b|is_superuser", path.read_text()):
            found.append(path.relative_to(ROOT).as_posix())
    assert found == []


def test_the_navigation_and_the_home_cards_come_from_one_list():
    hrefs = {d.href for d in navigation.DESTINATIONS}
    assert {"/", "/my-work/", "/cases/", "/audits/", "/feedback/", "/dashboards/", "/plans/", "/admin/"} <= hrefs
    assert all(d.nav or d.card for d in navigation.DESTINATIONS)
