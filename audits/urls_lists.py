"""URLs of the audit lists, learning actions and practitioner responses (views/lists.py)."""

from django.urls import path

from .views import lists

urlpatterns = [
    path("", lists.audit_list, name="list"),
    path("<int:pk>/response/", lists.audit_response, name="response"),
    path("<int:pk>/actions/<int:action_id>/", lists.learning_action_update, name="action_update"),
]
