"""Every page needs a signed-in person except the few listed as public here."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

# Path prefixes anyone may open: sign-in, the health check, the public one-time
# feedback form, static files, and the API (which answers 401/403 in JSON itself).
PUBLIC_PREFIXES = ("/accounts/login/", "/health/", "/f/", "/static/", "/api/")


def is_public_path(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES) or path == "/favicon.ico"


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not is_public_path(request.path_info):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)
