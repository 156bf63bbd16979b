from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("", views.feedback_list, name="list"),
    path("new/", views.feedback_record, name="record"),
    path("request/<path:reference>/", views.feedback_request, name="request"),  # see cases/urls.py
]
