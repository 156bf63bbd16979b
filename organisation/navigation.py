"""The site's destinations, declared once: the primary navigation (organisation.context_processors)
and the home page's cards (organisation.views.home_context) are both drawn from DESTINATIONS.

Each destination names the rule that shows it (organisation.visibility), its label in the
navigation (None: not in the navigation) and its card on the home page (None: no card),
in the order both show them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from . import visibility


@dataclass(frozen=True)
class Destination:
    href: str
    shown_to: Callable[[object], bool]
    nav: str | None = None  # the label in the primary navigation
    card: str | None = None  # the card's title on the home page
    text: str = ""  # the card's sentence
    count_url: str | None = None  # a count the navigation fetches after the page loads (htmx)


def _everyone(user) -> bool:
    return True


def _auditor(user) -> bool:
    return visibility.can_see_cases(user) and visibility.is_auditor(user)


def _practitioner(user) -> bool:
    return visibility.can_see_cases(user) and visibility.is_practitioner(user)


def _moderator_only(user) -> bool:
    """An external or volunteer moderator without a case role: only what is given to them."""
    return visibility.is_external_moderator(user) and not visibility.can_see_cases(user)


DESTINATIONS = [
    Destination("/", _everyone, nav="Home"),
    # The work list's count is fetched after the page loads (htmx), so no page pays its queries.
    Destination("/my-work/", visibility.has_work_list, nav="My work", count_url="/my-work/count/"),
    Destination(
        "/audits/",
        _auditor,
        card="Audits to do",
        text="Grade the case files allocated to you and moderate others.",
    ),
    Destination(
        "/audits/",
        _practitioner,
        card="Audits of my work",
        text="Read your grades and learning actions and reflect on them.",
    ),
    Destination(
        "/cases/",
        visibility.can_see_cases,
        nav="Cases",
        card="Cases",
        text="The caseload you may see, with its latest audit grades.",
    ),
    Destination("/audits/", visibility.can_see_audits, nav="Audits"),
    Destination(
        "/audits/", _moderator_only, card="Audits to do", text="Grade or moderate the case files given to you."
    ),
    Destination("/feedback/", visibility.can_see_cases, nav="Feedback"),
    Destination(
        "/audits/calibration/",
        visibility.takes_part_in_calibration,
        card="Calibration sessions",
        text="Grade a shared case file blind, then compare grades.",
    ),
    Destination(
        "/dashboards/",
        visibility.can_see_dashboards,
        nav="Dashboards",
        card="Dashboards",
        text="Grade mix, quality and operational KPIs by region and team.",
    ),
    Destination(
        "/programmes/",
        visibility.can_see_programmes,
        nav="Programmes",
        card="Audit programmes",
        text="Thematic audits drawn by rule: progress and results.",
    ),
    Destination(
        "/plans/",
        visibility.can_read_plans,
        nav="Improvement plans",
        card="Improvement plans",
        text="Objectives, actions, owners and progress.",
    ),
    Destination(
        "/admin/",
        visibility.is_admin,
        nav="Admin",
        card="Administration",
        text="Regions, teams, people, audit templates, imports and exports.",
    ),
]


def nav_items(user, path: str) -> list[dict]:
    """The primary navigation's links for this person; the longest link matching `path` is current."""
    items = [d for d in DESTINATIONS if d.nav and d.shown_to(user)]
    # The longest matching link is the current one (/programmes/ is not "Audits").
    matches = [d.href for d in items if d.href != "/" and path.startswith(d.href)]
    current = max(matches, key=len) if matches else ("/" if path == "/" else None)
    return [{"label": d.nav, "href": d.href, "active": d.href == current, "count_url": d.count_url} for d in items]


def home_cards(user) -> list[tuple[str, str, str]]:
    """(title, href, sentence) of the home page's cards for this person."""
    return [(d.card, d.href, d.text) for d in DESTINATIONS if d.card and d.shown_to(user)]
