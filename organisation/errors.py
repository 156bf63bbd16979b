"""Styled error pages in the GOV.UK pattern."""

from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # No context processors: the failure may be in them.
    return HttpResponseServerError(loader.get_template("errors/500.html").render({"request": None}))


def took_too_long(request):
    """503 for a request whose database work ran past the statement timeout.

    Rendered without context processors or database reads: the connection may be in a
    failed transaction. The API answers in JSON, as it does for every other error.
    """
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {"error": "This request took too long and was stopped. Try again, or ask for a shorter period."},
            status=503,
        )
    else:
        body = loader.get_template("errors/503_too_long.html").render({"request": None})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = "30"
    return response
