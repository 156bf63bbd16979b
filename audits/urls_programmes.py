"""URLs of thematic audit programmes (views/programmes.py) and calibration sessions (views/calibration.py)."""

from django.urls import path

from .views import calibration, programmes

urlpatterns = [
    path("programmes/", programmes.programme_list, name="programmes"),
    path("programmes/new/", programmes.programme_new, name="programme_new"),
    path("programmes/<int:pk>/", programmes.programme_detail, name="programme"),
    path("programmes/<int:pk>/preview/", programmes.programme_preview, name="programme_preview"),
    path("programmes/<int:pk>/results.csv", programmes.programme_csv, name="programme_csv"),
]

urlpatterns += [
    path("calibration/", calibration.calibration_list, name="calibrations"),
    path("calibration/new/", calibration.calibration_new, name="calibration_new"),
    path("calibration/<int:pk>/", calibration.calibration_detail, name="calibration"),
    path("calibration/<int:pk>/grade/", calibration.calibration_grade_view, name="calibration_grade"),
    path("calibration/<int:pk>/close/", calibration.calibration_close_view, name="calibration_close"),
]
