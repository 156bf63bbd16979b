"""/audits/calibration/…: calibration sessions (views/calibration.py)."""

from django.urls import path

from .views import calibration

urlpatterns = [
    path("calibration/", calibration.calibration_list, name="calibrations"),
    path("calibration/new/", calibration.calibration_new, name="calibration_new"),
    path("calibration/<int:pk>/", calibration.calibration_detail, name="calibration"),
    path("calibration/<int:pk>/grade/", calibration.calibration_grade_view, name="calibration_grade"),
    path("calibration/<int:pk>/close/", calibration.calibration_close_view, name="calibration_close"),
]
