"""Stable paths: /plans/ and /plans/<id>/ (DESIGN.md), plus editors' pages under a plan."""

from django.urls import path

from . import views

app_name = "improvement_plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/history/", views.plan_history, name="history"),
    path("<int:pk>/objectives/new/", views.objective_create, name="objective_create"),
    path("<int:pk>/objectives/<int:objective_id>/edit/", views.objective_edit, name="objective_edit"),
    path("<int:pk>/objectives/<int:objective_id>/actions/new/", views.action_create, name="action_create"),
    path("<int:pk>/actions/<int:action_id>/edit/", views.action_edit, name="action_edit"),
    path("<int:pk>/actions/<int:action_id>/updates/new/", views.action_update_add, name="action_update"),
    path("<int:pk>/measures/new/", views.measure_create, name="measure_create"),
    path("<int:pk>/measures/<int:measure_id>/edit/", views.measure_edit, name="measure_edit"),
    path("<int:pk>/measures/<int:measure_id>/updates/new/", views.measure_update_add, name="measure_update"),
    path("<int:pk>/actions.csv", views.actions_csv, name="actions_csv"),
    path("<int:pk>/actions/import/", views.actions_upload, name="actions_import"),
]
