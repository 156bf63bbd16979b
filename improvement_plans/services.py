"""Writes with rules for improvement plans (plain create/edit goes through ModelForms)."""

import datetime

from django.db import transaction
from django.utils import timezone

from .importing import actions_import  # noqa: F401 (the CSV import service lives with its resource)
from .models import Action, ProgressUpdate, SuccessMeasure

DUPLICATE_WINDOW = datetime.timedelta(minutes=10)


@transaction.atomic
def progress_update_add(
    *,
    author,
    narrative: str,
    on: datetime.date,
    action: Action | None = None,
    measure: SuccessMeasure | None = None,
    rag: str = "",
    rag_reason: str = "",
    evidence_url: str = "",
) -> ProgressUpdate:
    """Record progress on one action or one measure; a manual RAG needs its reason.

    The same update posted twice by the same person within DUPLICATE_WINDOW (a double click,
    a resent form) is recorded once: the earlier one is returned.
    """
    fields = {
        "action": action,
        "measure": measure,
        "author": author,
        "on": on,
        "narrative": narrative,
        "rag": rag,
        "rag_reason": rag_reason,
        "evidence_url": evidence_url,
    }
    since = timezone.now() - DUPLICATE_WINDOW
    if (earlier := ProgressUpdate.objects.filter(**fields, created_at__gte=since).first()) is not None:
        return earlier
    update = ProgressUpdate(
        action=action,
        measure=measure,
        author=author,
        on=on,
        narrative=narrative,
        rag=rag,
        rag_reason=rag_reason,
        evidence_url=evidence_url,
    )
    update.full_clean()
    update.save()
    return update
