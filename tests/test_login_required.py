"""Every page needs a signed-in person, except sign-in, /health/, the public feedback form and the API
(which answers 401 in JSON itself). The test walks the URL resolver, so a new page cannot slip through."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from organisation.middleware import is_public_path

pytestmark = pytest.mark.django_db


def _sample(fragment: str) -> str:
    """Turn a route or regex fragment into a concrete path segment."""
    fragment = re.sub(r"<(?:\w+:)?\w+>", "1", fragment)  # path converters
    fragment = re.sub(r"\(\?P<\w+>[^)]*\)", "1", fragment)  # named regex groups
    fragment = fragment.replace("^", "").replace("$", "").replace("\\", "")
    return re.sub(r"[()?*+|\[\]]", "", fragment)


def walk(patterns, prefix=""):
    for p in patterns:
        here = prefix + _sample(str(p.pattern))
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, here)
        elif isinstance(p, URLPattern):
            yield "/" + here, p


ALL_PATHS = sorted({path for path, _ in walk(get_resolver().url_patterns)})


def test_the_resolver_walk_finds_the_pages():
    assert "/" in ALL_PATHS
    assert "/accounts/login/" in ALL_PATHS
    assert any(p.startswith("/admin/") for p in ALL_PATHS)


@pytest.mark.parametrize("path", [p for p in ALL_PATHS if not is_public_path(p)])
def test_anonymous_request_redirects_to_sign_in(client, path):
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 302, f"{method.__name__.upper()} {path} answered {response.status_code}"
        assert response["Location"].startswith("/accounts/login/?next="), path


@pytest.mark.parametrize("path", [p for p in ALL_PATHS if p.startswith("/api/")])
def test_anonymous_api_request_is_refused_without_data(client, path):
    response = client.get(path)
    assert response.status_code in (400, 401, 403), f"{path} answered {response.status_code}"


def test_public_pages_answer_without_sign_in(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/health/").status_code == 200


def test_the_public_pages_are_exactly_the_ones_meant_to_be():
    """A view marked @login_not_required is public: a new one must be added here on purpose."""
    public = {p for p in ALL_PATHS if is_public_path(p)}
    assert public == {
        "/accounts/login/",
        "/api/v1/criteria/",
        "/api/v1/kpis/",
        "/f/1/",
        "/f/1/check/",
        "/f/1/questions/",
        "/f/1/questions/1/",
        "/f/accessibility/",
        "/f/privacy/",
        "/f/thank-you/",
        "/health/",
    }
    assert is_public_path("/static/css/site.css")


def test_the_admin_login_page_sends_people_to_the_sites_sign_in(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
