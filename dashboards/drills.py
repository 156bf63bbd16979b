"""Drill-downs: the links from a dashboard figure to the records behind it (audits, cases or
feedback), the list filtered the same way the snapshot counted them. Only for people who may
open that list: a board member reads figures, never case records."""

import copy
from urllib.parse import urlencode

from django.urls import reverse

from organisation import visibility

GRADE_FILTER = {"outstanding": "4", "good": "3", "meets_standard": "2", "requires_improvement": "1"}
NO_FIGURE = ("No audits", "No data")  # cells with nothing to link to


def _may_open_lists(user) -> bool:
    return visibility.may_open_drill_down_lists(user)


class Drill:
    """Links to the audit list: completed audits, by the region and team copied at completion,
    months of completion, final grade."""

    url_name = "audits:list"

    def __init__(self, user, first, last, **base):
        """`user` None: no links (the board pack)."""
        self.allowed = _may_open_lists(user)
        self.base = {"section": "region", "status": "completed", **base}
        if first is not None:
            self.base.update(completed_from=f"{first:%Y-%m}", completed_to=f"{last:%Y-%m}")

    def within(self, first, last) -> "Drill":
        """The same links over other months of completion (a trend's month)."""
        other = copy.copy(self)
        other.base = {**self.base, "completed_from": f"{first:%Y-%m}", "completed_to": f"{last:%Y-%m}"}
        return other

    def params(self, extra: dict) -> dict:
        return {k: v for k, v in {**self.base, **extra}.items() if v is not None}

    def href(self, **extra) -> str:
        if not self.allowed:
            return ""
        return reverse(self.url_name) + "?" + urlencode(self.params(extra))

    def link(self, cell, **extra):
        if cell.text not in NO_FIGURE:
            cell.href = self.href(**extra)
        return cell


class FeedbackDrill(Drill):
    """Links to the feedback list (region and team copied onto the feedback, months received, respondent)."""

    url_name = "feedback:list"

    def __init__(self, user, first, last, **base):
        super().__init__(user, first, last, **base)
        self.base = {"received_from": f"{first:%Y-%m}", "received_to": f"{last:%Y-%m}", **base}

    def params(self, extra: dict) -> dict:
        return {**self.base, **extra}


class CaseDrill(Drill):
    """Links to the case list (the case's region and team, months received or, for section 7
    reports, months due)."""

    url_name = "cases:list"

    def __init__(self, user, first, last, **base):
        super().__init__(user, first, last, **base)
        self.base = base
        self.windows = {
            "received": {"received_from": f"{first:%Y-%m}", "received_to": f"{last:%Y-%m}"},
            "due": {"due_from": f"{first:%Y-%m}", "due_to": f"{last:%Y-%m}"},
        }

    def params(self, extra: dict) -> dict:
        return {**self.base, **extra}


DRILLS = {"audits": Drill, "cases": CaseDrill, "feedback": FeedbackDrill}


def drills_for(user, first, last, **base) -> dict:
    """{kind: drill} of one scope (region and team codes in `base`) over the months."""
    return {kind: cls(user, first, last, **base) for kind, cls in DRILLS.items()}
