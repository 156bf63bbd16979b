"""Writes with rules for improvement plans (plain create/edit goes through ModelForms)."""

import datetime

from django.db import transaction

from .importing import actions_import  # noqa: F401 (the CSV import service lives with its resource)
from .models import Action, ProgressUpdate, SuccessMeasure


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
    """Record progress on one action or one measure; a manual RAG needs its reason."""
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
