"""URLs of the audit lists, learning actions and practitioner responses (views/lists.py)."""

from django.urls import path

from .views import learning, lists

urlpatterns = [
    path("", lists.audit_list, name="list"),
    path("<int:pk>/response/", lists.audit_response, name="response"),
    path("<int:pk>/actions/<int:action_id>/", learning.learning_action_page, name="action"),
    path("<int:pk>/follow-up/", learning.audit_follow_up, name="follow_up"),
]
