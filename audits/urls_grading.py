"""URLs of the grading journey and audit detail (views/grading.py)."""

from django.urls import path

from .views import grading

urlpatterns = [
    path("new/", grading.audit_new, name="new"),
    path("<int:pk>/", grading.audit_detail, name="detail"),
    path("<int:pk>/sections/<int:n>/", grading.audit_section, name="section"),
    path("<int:pk>/sections/<int:n>/autosave/", grading.audit_section_autosave, name="section_autosave"),
    path("<int:pk>/check/", grading.audit_check, name="check"),
    path("<int:pk>/confirmation/", grading.audit_confirmation, name="confirmation"),
    path("<int:pk>/moderate/", grading.audit_moderate, name="moderate"),
    path("<int:pk>/learning-actions/new/", grading.learning_action_new, name="learning_action_new"),
]
