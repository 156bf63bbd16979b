"""Test-only URLs: views whose database work takes as long as the test asks (pg_sleep)."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import include, path

from organisation.middleware import allow_long_statements


def _sleep(request):
    seconds = float(request.GET.get("seconds", "1"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [seconds])
    return seconds


def slow_page(request):
    return HttpResponse(f"slept {_sleep(request)} s")


def slow_api(request):
    return JsonResponse({"slept": _sleep(request)})


@allow_long_statements
def slow_download(request):
    return HttpResponse(f"slept {_sleep(request)} s", content_type="text/csv")


urlpatterns = [
    path("slow/", slow_page),
    path("slow-download/", slow_download),
    path("api/v1/slow/", slow_api),
    path("", include("cafcass_qa.urls")),
]
