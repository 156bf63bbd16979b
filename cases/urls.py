from django.urls import path

from . import closing, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("export.csv", views.case_export, name="export"),
    # `path`, not `str`: a reference stored before references were validated (one with a
    # "/" in it) still makes a link, and opens its page, instead of breaking the list.
    path("<path:reference>/close/", closing.case_close_view, name="close"),
    path("<path:reference>/", views.case_detail, name="detail"),
]
