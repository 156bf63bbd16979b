"""Every page needs a signed-in person except the few listed as public here."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse

from .errors import bad_request

# Path prefixes anyone may open: sign-in (and single sign-on's start and return, when
# configured), the health check, the public one-time feedback form, static files, and the
# API (which answers 401/403 in JSON itself).
PUBLIC_PREFIXES = ("/accounts/login/", "/oidc/", "/health/", "/f/", "/static/", "/api/")


def is_public_path(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES) or path == "/favicon.ico"


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not is_public_path(request.path_info):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


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
