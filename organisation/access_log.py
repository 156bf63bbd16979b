"""Who saw what: record views of cases, audits, feedback and exports, one INSERT per page.

Views call `record_view` (one record) or `record_views` (a page of feedback rows, still one
INSERT) after they have loaded and checked what they show. Reading the log is for quality
admins (the admin's Access records) and for `access_report --case REF`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from .models import AccessRecord

Kind = AccessRecord.Kind
PATH_LENGTH = AccessRecord._meta.get_field("path").max_length


def client_ip(request) -> str | None:
    """The address a request came from (also django-axes' address, by AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR unless TRUSTED_PROXY_COUNT proxies stand in front: then the address the
    outermost trusted proxy saw, counted from the right of X-Forwarded-For (entries further
    left were written by the client and prove nothing).
    """
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _record(request, kind: str, object_id: str, case_reference: str) -> AccessRecord:
    user = request.user
    return AccessRecord(
        at=timezone.now(),
        user_id=user.pk,
        username=user.get_username(),
        kind=kind,
        object_id=str(object_id)[:100],
        case_reference=case_reference or "",
        ip_address=client_ip(request),
        path=request.get_full_path()[:PATH_LENGTH],
    )


def record_view(request, kind: str, *, object_id: object = "", case_reference: str = "") -> None:
    """One INSERT: this signed-in person opened this record (or downloaded this export) now."""
    _record(request, kind, object_id, case_reference).save(force_insert=True)


def record_views(request, kind: str, rows: Iterable[tuple[object, str]]) -> None:
    """One INSERT for a page of records shown together: (object id, case reference) pairs."""
    records = [_record(request, kind, object_id, reference) for object_id, reference in rows]
    if records:
        AccessRecord.objects.bulk_create(records)


def access_log_cutoff(today: datetime.date | None = None) -> datetime.datetime:
    """Records older than this are past ACCESS_LOG_RETENTION_DAYS and may be purged."""
    now = timezone.now() if today is None else timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    return now - datetime.timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)


def purge_access_log(*, before: datetime.datetime, dry_run: bool = False) -> int:
    """Delete access records older than `before`; the number deleted (or that would be)."""
    old = AccessRecord.objects.filter(at__lt=before)
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted


class AccessLoggedAdminMixin:
    """Admin change pages of case records count as views: a quality admin's reading is logged too."""

    access_kind: str = Kind.CASE

    def access_case_reference(self, obj) -> str:
        return obj.reference

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                record_view(request, self.access_kind, object_id=obj.pk, case_reference=self.access_case_reference(obj))
        return response
