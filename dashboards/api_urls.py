from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("kpis/", api.kpis, name="kpis"),
    path("criteria/", api.criteria, name="criteria"),
]
