"""Middleware of the site: NUL characters refused, the Permissions-Policy header, and web
requests run under a statement timeout. Sign-in is Django's LoginRequiredMiddleware: every
view needs a signed-in person unless marked @login_not_required (is_public_path below)."""

import logging

from django.conf import settings
from django.http import JsonResponse
from django.urls import Resolver404, resolve

from .errors import bad_request

logger = logging.getLogger(__name__)


def is_public_path(path: str) -> bool:
    """Whether anyone may open `path` without signing in: a static file (served before any view)
    or a view marked @login_not_required, the mark Django's LoginRequiredMiddleware reads."""
    if path.startswith(settings.STATIC_URL):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return not getattr(match.func, "login_required", True)


class RejectNulCharactersMiddleware:
    """A NUL character in the path, the query string or a posted form is never meant: answer 400.

    PostgreSQL refuses NUL in text, so without this any lookup built from such input would
    end in a 500. One check here spares every view (and every future view) the same guard.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or _has_nul(request.GET) or _has_nul(_form_data(request)):
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {"error": "The request contains a NUL character, which is never valid."}, status=400
                )
            return bad_request(request)
        return self.get_response(request)


def _form_data(request):
    content_type = request.content_type or ""
    if request.method == "POST" and content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.POST
    return {}


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data)


class PermissionsPolicyMiddleware:
    """Send the Permissions-Policy header (settings.PERMISSIONS_POLICY) on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response


# ---- statement timeout for web requests ---------------------------------------------------

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled (statement_timeout)


def allow_long_statements(view):
    """Mark a view (a download of a whole list) that may run longer than a page:
    it gets WEB_LONG_STATEMENT_TIMEOUT_MS instead of WEB_STATEMENT_TIMEOUT_MS."""
    view.allow_long_statements = True
    return view


def extend_statement_timeout() -> None:
    """From here on this request may run as long as a download (a view that turns into one)."""
    _set_statement_timeout(getattr(settings, "WEB_LONG_STATEMENT_TIMEOUT_MS", 0))


def _set_statement_timeout(milliseconds: int) -> None:
    """SET statement_timeout on this request's connection (PostgreSQL only).

    Sent on the driver's own cursor, so it never counts among a page's queries; inside a
    test's transaction it is rolled back with the rest. Celery tasks, management commands
    and migrations never pass through here, so they keep the server's setting (none).
    """
    from django.db import DatabaseError, connection

    if connection.vendor != "postgresql":
        return
    try:
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = %s", [max(0, int(milliseconds))])
    except (DatabaseError, connection.Database.Error):
        # The database is down: the view finds out for itself (/health/ reports it).
        logger.warning("Could not set the statement timeout", exc_info=True)


def is_statement_timeout(exc: BaseException) -> bool:
    """True when `exc` (or what it wraps) is PostgreSQL cancelling a statement."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if getattr(exc, "pgcode", None) == QUERY_CANCELED or getattr(exc, "sqlstate", None) == QUERY_CANCELED:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class StatementTimeoutMiddleware:
    """Every web request runs under a statement timeout; one that runs past it gets a 503 page.

    Listed first, so its exception handler sees what any view raised and answers with
    "this page took too long" (or JSON for the API), never a 500 traceback or a worker held
    for the length of a runaway query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        long = getattr(view_func, "allow_long_statements", False)
        name = "WEB_LONG_STATEMENT_TIMEOUT_MS" if long else "WEB_STATEMENT_TIMEOUT_MS"
        milliseconds = getattr(settings, name, 0)
        if milliseconds:
            _set_statement_timeout(milliseconds)
        return None

    def process_exception(self, request, exception):
        if not is_statement_timeout(exception):
            return None
        logger.warning("Statement timeout on %s %s", request.method, request.path)
        from .errors import took_too_long

        return took_too_long(request)
