from django.urls import path

from . import public_views

app_name = "public"

urlpatterns = [
    path("privacy/", public_views.privacy, name="privacy"),
    path("accessibility/", public_views.accessibility, name="accessibility"),
    path("thank-you/", public_views.thank_you, name="thank_you"),
    path("<str:token>/", public_views.start, name="start"),
    path("<str:token>/questions/", public_views.questions_page, name="questions"),
    path("<str:token>/questions/<int:number>/", public_views.question, name="question"),
    path("<str:token>/check/", public_views.check, name="check"),
]
