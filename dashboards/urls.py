from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard, {"level": "national"}, name="national"),
    path("regions/<slug:code>/", views.dashboard, {"level": "region"}, name="region"),
    path("regions/<slug:code>/teams/<slug:team_code>/", views.dashboard, {"level": "team"}, name="team"),
]
