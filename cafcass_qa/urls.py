"""Stable paths of DESIGN.md; each app owns its own urls.py."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import include, path
from mozilla_django_oidc import urls as oidc_urls

from improvement_plans import board_pack
from organisation import views as organisation_views
from work import views as work_views

# Single sign-on's start, return and sign-out are public (served only when it is configured).
for _pattern in oidc_urls.urlpatterns:
    login_not_required(_pattern.callback)

# The admin signs people in through the site's own sign-in page (lock-out, single sign-on), as
# before Django's LoginRequiredMiddleware: Django marks the admin's login page public and points
# the admin's site-wide views at it; here it needs a signed-in person like any page, and they
# send anonymous visitors to settings.LOGIN_URL.
admin.site.login = login_required(admin.site.login)
admin.site.login.login_required = True
admin_urls = admin.site.urls
for _pattern in admin_urls[0]:
    if "login_url" in getattr(_pattern.callback, "__dict__", {}):
        del _pattern.callback.login_url

urlpatterns = [
    path("", work_views.home, name="home"),
    path("", include("work.urls")),
    path("health/", organisation_views.health, name="health"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            redirect_authenticated_user=True,
            extra_context={"single_sign_on": settings.OIDC_ENABLED},
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/", include("cases.urls")),
    path("audits/", include("audits.urls")),
    path("programmes/", include("audits.urls_programmes")),
    path("feedback/", include("feedback.urls")),
    path("f/", include("feedback.public_urls")),
    # The board pack reads improvement plans too, so its view lives there (see DESIGN.md's import order).
    path("dashboards/board-pack.pdf", board_pack.board_pack, name="board_pack"),
    path("dashboards/", include("dashboards.urls")),
    path("plans/", include("improvement_plans.urls")),
    path("api/v1/", include("dashboards.api_urls")),
    path("admin/", admin_urls),
]

if settings.OIDC_ENABLED:
    # /oidc/authenticate/ starts single sign-on, /oidc/callback/ comes back from the provider.
    urlpatterns.append(path("oidc/", include(oidc_urls)))

handler400 = "organisation.errors.bad_request"
handler403 = "organisation.errors.permission_denied"
handler404 = "organisation.errors.page_not_found"
handler500 = "organisation.errors.server_error"
