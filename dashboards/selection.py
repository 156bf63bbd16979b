"""`template=SLUG` and `programme=ID` on the dashboards and the API: which audits the grade figures count."""

from __future__ import annotations

import re

from django.apps import apps

from .periods import echo
from .selectors import ROUTINE, AuditSelection

SLUG_RE = re.compile(r"^[-a-z0-9_]{1,50}$")


class SelectionError(ValueError):
    """A template or programme that names nothing; the message says which."""


def parse_selection(params) -> tuple[AuditSelection, str]:
    """The selection asked for in a query string and a phrase describing it ("" for routine).

    At most two small queries (does the template, does the programme exist); raises
    SelectionError with a plain message for anything that names nothing.
    """
    # The models by name, not by import: the board pack (improvement_plans) reaches this module
    # through the dashboard tables, and improvement plans never import the audit app.
    AuditTemplate = apps.get_model("audits", "AuditTemplate")  # noqa: N806
    Programme = apps.get_model("audits", "Programme")  # noqa: N806
    raw_template = (params.get("template") or "").strip().lower()  # slugs are lower case
    raw_programme = (params.get("programme") or "").strip()
    if not raw_template and not raw_programme:
        return ROUTINE, ""
    template = programme = None
    words = []
    if raw_template:
        name = None
        if SLUG_RE.match(raw_template):
            name = AuditTemplate.objects.filter(slug=raw_template).values_list("name", flat=True).first()
        if name is None:
            raise SelectionError(f"There is no audit template with the slug '{echo(raw_template)}'.")
        template = raw_template
        words.append(f"audits on the {name} template")
    if raw_programme:
        found = (
            Programme.objects.filter(pk=int(raw_programme)).first()
            if raw_programme.isdigit() and len(raw_programme) <= 9
            else None
        )
        if found is None:
            raise SelectionError(f"There is no audit programme '{echo(raw_programme)}'.")
        programme = found.pk
        words.append(f"audits of the programme “{found.name}”")
    return AuditSelection(template=template, programme=programme), " and ".join(words)
