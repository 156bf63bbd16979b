"""Audit templates as versioned data: revising a template in use makes a new version."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max

from audits.models import AuditTemplate, Criterion

CRITERION_FIELDS = ("code", "section", "order", "text", "guidance", "kind", "limiting", "applies_to")


def template_in_use(template: AuditTemplate) -> bool:
    return template.pk is not None and template.audits.exists()


def _criteria_from(rows: Sequence[dict], template: AuditTemplate) -> list[Criterion]:
    criteria = []
    for row in rows:
        criterion = Criterion(template=template, **{f: row[f] for f in CRITERION_FIELDS if f in row})
        # The template's own uniqueness is checked by the database constraints on insert;
        # here we check each row's fields and the rule that only graded criteria limit.
        criterion.full_clean(exclude=["template"], validate_unique=False, validate_constraints=False)
        criteria.append(criterion)
    return criteria


@transaction.atomic
def template_revise(
    *,
    template: AuditTemplate,
    by,
    criteria: Sequence[dict],
    name: str | None = None,
    description: str | None = None,
) -> AuditTemplate:
    """Replace a template's name, description and criteria (the full new list of criteria).

    A template no audit uses is edited in place. A template that audits use is never
    changed: a new version is made with the new content and becomes the current one, and
    the old version stays, with its criteria, for the audits graded on it. Returns the
    template that now holds the content (the same one, or the new version).
    """
    name = template.name if name is None else name
    description = template.description if description is None else description
    if not template_in_use(template):
        template.name = name
        template.description = description
        template.full_clean(validate_constraints=False)
        template.save()
        # No audit uses it, so no judgement points at its criteria: replace them outright
        # (also avoids clashes on the (template, order) constraint when rows swap places).
        template.criteria.all().delete()
        Criterion.objects.bulk_create(_criteria_from(criteria, template))
        return template

    # Lock every version of this template while we pick the next number: two admins
    # revising at once must not both make "version N+1".
    list(AuditTemplate.objects.select_for_update().filter(slug=template.slug))
    next_version = (AuditTemplate.objects.filter(slug=template.slug).aggregate(m=Max("version"))["m"] or 0) + 1
    # Only one current version per slug (a partial unique constraint): retire the old first.
    AuditTemplate.objects.filter(slug=template.slug, is_current=True).update(is_current=False)
    new = AuditTemplate(slug=template.slug, version=next_version, name=name, description=description, is_current=True)
    new.full_clean()
    new.save()
    Criterion.objects.bulk_create(_criteria_from(criteria, new))
    template.is_current = False
    return new


def template_criteria_rows(template: AuditTemplate) -> list[dict]:
    """The criteria of a template as the dicts `template_revise` takes (to copy and edit)."""
    return [{f: getattr(c, f) for f in CRITERION_FIELDS} for c in template.criteria.order_by("order")]


def templates_install_shipped(*, apps=None, using: str = "default", **kwargs) -> int:
    """Install any shipped template (audits/template_data.py) that is missing; returns how many.

    The data migration does this once; connected to post_migrate it also restores them
    after a database flush (transactional tests), as the role groups are. Never touches a
    template that exists, whatever its version. Uses the model state it is given (migrate
    passes it), so it does nothing when the audits tables are not there.
    """
    from django.apps import apps as global_apps

    from audits.template_data import TEMPLATES, criteria_rows

    try:
        template_model = (apps or global_apps).get_model("audits", "AuditTemplate")
        criterion_model = (apps or global_apps).get_model("audits", "Criterion")
    except LookupError:  # migrated back to before the audits tables existed
        return 0
    installed = 0
    for data in TEMPLATES:
        if template_model.objects.using(using).filter(slug=data["slug"]).exists():
            continue
        with transaction.atomic(using=using):
            template = template_model.objects.using(using).create(
                slug=data["slug"], version=1, name=data["name"], description=data["description"], is_current=True
            )
            criterion_model.objects.using(using).bulk_create(
                criterion_model(template=template, **row) for row in criteria_rows(data)
            )
        installed += 1
    return installed
