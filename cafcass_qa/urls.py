"""Stable paths of DESIGN.md; each app owns its own urls.py."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from feedback import views as feedback_views
from improvement_plans import board_pack
from organisation import views as organisation_views

urlpatterns = [
    path("", organisation_views.home, name="home"),
    path("health/", organisation_views.health, name="health"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/", include("cases.urls")),
    path("audits/", include("audits.urls")),
    path("feedback/", include("feedback.urls")),
    path("f/<str:token>/", feedback_views.public_form, name="public_feedback"),
    # The board pack reads improvement plans too, so its view lives there (see DESIGN.md's import order).
    path("dashboards/board-pack.pdf", board_pack.board_pack, name="board_pack"),
    path("dashboards/", include("dashboards.urls")),
    path("plans/", include("improvement_plans.urls")),
    path("api/v1/", include("dashboards.api_urls")),
    path("admin/", admin.site.urls),
]

handler400 = "organisation.errors.bad_request"
handler403 = "organisation.errors.permission_denied"
handler404 = "organisation.errors.page_not_found"
handler500 = "organisation.errors.server_error"
