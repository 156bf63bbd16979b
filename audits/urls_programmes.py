"""/programmes/…: thematic audit programmes (views/programmes.py). Aggregates only, so not under /audits/."""

from django.urls import path

from .views import programmes

app_name = "programmes"

urlpatterns = [
    path("", programmes.programme_list, name="list"),
    path("new/", programmes.programme_new, name="new"),
    path("<int:pk>/", programmes.programme_detail, name="detail"),
    path("<int:pk>/preview/", programmes.programme_preview, name="preview"),
    path("<int:pk>/results.csv", programmes.programme_csv, name="csv"),
]
