"""URLs of thematic audit programmes (views/programmes.py)."""

from django.urls import path

from .views import programmes

urlpatterns = [
    path("programmes/", programmes.programme_list, name="programmes"),
    path("programmes/new/", programmes.programme_new, name="programme_new"),
    path("programmes/<int:pk>/", programmes.programme_detail, name="programme"),
    path("programmes/<int:pk>/preview/", programmes.programme_preview, name="programme_preview"),
    path("programmes/<int:pk>/results.csv", programmes.programme_csv, name="programme_csv"),
]
