from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.national, name="national"),
    path("regions/<slug:code>/", views.region, name="region"),
    path("regions/<slug:code>/teams/<slug:team_code>/", views.team, name="team"),
]
