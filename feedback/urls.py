from django.urls import path

from . import complaint_views, views

app_name = "feedback"

urlpatterns = [
    path("", views.feedback_list, name="list"),
    path("new/", views.feedback_record, name="record"),
    path("request/<path:reference>/", views.feedback_request, name="request"),  # see cases/urls.py
    path("requests/<int:pk>/", views.feedback_hand_over, name="hand_over"),
    path("complaints/", complaint_views.complaint_list, name="complaints"),
    path("complaints/<int:pk>/", complaint_views.complaint_detail, name="complaint"),
    path("<int:pk>/themes/", complaint_views.feedback_themes, name="themes"),
    path("themes/", complaint_views.theme_counts, name="theme_counts"),
    path("you-said-we-did/<str:code>/", complaint_views.you_said_we_did, name="you_said_we_did"),
]
