from django.urls import path

from . import closing, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("export.csv", views.case_export, name="export"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/close/", closing.case_close_view, name="close"),
]
