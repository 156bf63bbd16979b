"""The "Audits" section of the case page (registered with cases.sections from AppConfig.ready)."""

from organisation import visibility

from .models import Audit

SHOWN = 20


def audits_for_case(request, case) -> dict | None:
    """The audits of this case the viewer may see, newest first; one query."""
    user = request.user
    audits = list(
        visibility.visible_audits(user, Audit.objects.filter(case=case))
        .select_related("auditor", "template")
        .with_grade_hidden(user)
        .order_by("-created_at", "-pk")[: SHOWN + 1]
    )
    may_create = visibility.may_create_audit(user)
    if not audits and not may_create:
        return None
    return {"audits": audits[:SHOWN], "more": len(audits) > SHOWN, "may_create": may_create}
