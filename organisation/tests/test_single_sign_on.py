"""Optional single sign-on (OpenID Connect, Entra ID style): off unless configured; people are
matched to existing accounts, never created; roles stay as this application grants them.
No network: the provider's answers are given to the backend directly."""

import logging
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.contrib.auth.views import LoginView
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import include, path

from cafcass_qa.settings.sso import sso_settings
from cafcass_qa.urls import urlpatterns as site_urlpatterns
from organisation.oidc import StaffOIDCBackend
from organisation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONFIGURED = {
    "OIDC_RP_CLIENT_ID": "client-123",
    "OIDC_RP_CLIENT_SECRET": "secret-456",
    "OIDC_ENTRA_TENANT_ID": "tenant-789",
}
OIDC = sso_settings(CONFIGURED)
OIDC.pop("OIDC_ENABLED")
BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# A site with single sign-on switched on (the real urls.py decides at start-up).
urlpatterns = [
    path("oidc/", include("mozilla_django_oidc.urls")),
    path(
        "accounts/login/sso/",  # under the public sign-in prefix
        LoginView.as_view(template_name="registration/login.html", extra_context={"single_sign_on": True}),
    ),
    *site_urlpatterns,
]


# ---- the switch --------------------------------------------------------------------------------


def test_single_sign_on_is_off_unless_a_client_id_is_set():
    assert sso_settings({}) == {"OIDC_ENABLED": False}
    assert sso_settings({"OIDC_RP_CLIENT_ID": "  "}) == {"OIDC_ENABLED": False}


def test_an_entra_tenant_fills_in_the_endpoints():
    found = sso_settings(CONFIGURED)
    assert found["OIDC_ENABLED"] is True
    assert found["OIDC_OP_AUTHORIZATION_ENDPOINT"] == (
        "https://login.microsoftonline.com/tenant-789/oauth2/v2.0/authorize"
    )
    assert found["OIDC_OP_JWKS_ENDPOINT"] == "https://login.microsoftonline.com/tenant-789/discovery/v2.0/keys"
    assert found["OIDC_CREATE_USER"] is False
    assert found["OIDC_RP_SIGN_ALGO"] == "RS256"


@pytest.mark.parametrize(
    "environ, missing",
    [
        ({"OIDC_RP_CLIENT_ID": "c"}, "OIDC_RP_CLIENT_SECRET"),
        ({"OIDC_RP_CLIENT_ID": "c", "OIDC_RP_CLIENT_SECRET": "s"}, "OIDC_OP_AUTHORIZATION_ENDPOINT"),
        (
            {"OIDC_RP_CLIENT_ID": "c", "OIDC_RP_CLIENT_SECRET": "s", "OIDC_ENTRA_TENANT_ID": "t"}
            | {"OIDC_OP_TOKEN_ENDPOINT": "http://plain.example/token"},
            "OIDC_OP_TOKEN_ENDPOINT",
        ),
    ],
)
def test_a_half_configured_provider_fails_at_start_up(environ, missing):
    with pytest.raises(ImproperlyConfigured, match=missing):
        sso_settings(environ)


def test_unconfigured_the_site_has_no_single_sign_on(client, settings):
    assert settings.OIDC_ENABLED is False
    assert "organisation.oidc.StaffOIDCBackend" not in settings.AUTHENTICATION_BACKENDS
    assert client.get("/oidc/authenticate/").status_code == 404
    assert "organisation account" not in client.get("/accounts/login/").content.decode()


@pytest.mark.urls(__name__)
def test_configured_the_sign_in_page_offers_it_and_sends_people_to_the_provider(client):
    with override_settings(**OIDC, AUTHENTICATION_BACKENDS=[*BACKENDS, "organisation.oidc.StaffOIDCBackend"]):
        page = client.get("/accounts/login/sso/").content.decode()
        assert "Sign in with your organisation account" in page and 'href="/oidc/authenticate/"' in page
        response = client.get("/oidc/authenticate/")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://login.microsoftonline.com/tenant-789/oauth2/v2.0/authorize?")
    assert "client_id=client-123" in location


def test_someone_unknown_is_told_to_ask_a_quality_admin(client):
    page = client.get("/accounts/login/?sso=unknown").content.decode()
    assert "not set up in this service" in page and "quality admin" in page


# ---- matching people ---------------------------------------------------------------------------


@pytest.fixture
def backend():
    with override_settings(**OIDC):
        yield StaffOIDCBackend()


def matched(backend, **claims):
    return list(backend.filter_users_by_claims(claims))


def test_a_person_is_matched_by_email_whatever_its_case(backend, team):
    person = UserFactory(username="priya", email="Priya.Patel@Example.org", team=team)
    assert matched(backend, email="priya.patel@example.org") == [person]


def test_an_entra_sign_in_name_matches_the_email_or_the_username(backend, team):
    by_email = UserFactory(username="sam", email="sam.smith@example.org", team=team)
    by_username = UserFactory(username="jo.jones@example.org", email="", team=team)
    assert matched(backend, preferred_username="SAM.SMITH@example.org") == [by_email]
    assert matched(backend, upn="jo.jones@example.org") == [by_username]


def test_nobody_is_matched_for_an_unknown_person_and_it_is_logged(backend, team, caplog):
    UserFactory(username="known", email="known@example.org", team=team)
    with caplog.at_level(logging.WARNING, logger="organisation.signin"):
        assert matched(backend, email="stranger@example.org") == []
    assert "no account matches" in caplog.text and "stranger@example.org" in caplog.text


def test_two_accounts_matching_one_person_are_refused_not_guessed(backend, team):
    UserFactory(username="twin1", email="twin@example.org", team=team)
    UserFactory(username="twin@example.org", email="other@example.org", team=team)
    assert matched(backend, email="twin@example.org") == []


def test_an_inactive_account_is_not_matched(backend, team):
    UserFactory(username="gone", email="gone@example.org", team=team, is_active=False)
    assert matched(backend, email="gone@example.org") == []


def test_claims_without_an_email_or_name_are_refused(backend):
    assert backend.verify_claims({"sub": "abc"}) is False
    assert backend.verify_claims({"sub": "abc", "preferred_username": "x@example.org"}) is True


def test_signing_in_creates_nobody_and_leaves_roles_as_granted_here(backend, team):
    person = UserFactory(username="role-kept", email="role.kept@example.org", team=team, roles=["auditor"])
    before_users = type(person).objects.count()
    claims = {"sub": "1", "email": "role.kept@example.org", "roles": ["quality_admin"], "name": "Someone Else"}
    with mock.patch.object(StaffOIDCBackend, "get_userinfo", return_value=claims):
        assert backend.get_or_create_user("access", "id", {}) == person
        unknown = {"sub": "2", "email": "new.person@example.org"}
        with mock.patch.object(StaffOIDCBackend, "get_userinfo", return_value=unknown):
            assert backend.get_or_create_user("access", "id", {}) is None
    assert type(person).objects.count() == before_users
    person.refresh_from_db()
    assert list(person.groups.values_list("name", flat=True)) == ["auditor"]
    assert person.full_name != "Someone Else"
    assert not Group.objects.get(name="quality_admin").user_set.filter(pk=person.pk).exists()


def test_an_account_made_inactive_is_signed_out(backend, team):
    person = UserFactory(username="leaver", team=team)
    assert backend.get_user(person.pk) == person
    type(person).objects.filter(pk=person.pk).update(is_active=False)
    assert backend.get_user(person.pk) is None


# ---- start-up, as production starts ----------------------------------------------------------


def _production(**env):
    from organisation.tests.test_settings import GOOD_KEY, run_manage

    return run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="cafcass_qa.settings.production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="qa.example.org",
        DATABASE_URL="sqlite:////tmp/cafcass-check-deploy.sqlite3",
        **env,
    )


def test_production_with_single_sign_on_configured_starts_and_passes_check_deploy():
    result = _production(**CONFIGURED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_with_a_half_configured_provider_or_retention_refuses_to_start():
    half = _production(OIDC_RP_CLIENT_ID="client-123")
    assert half.returncode != 0 and "set OIDC_RP_CLIENT_SECRET too" in half.stderr
    zero = _production(RETENTION_YEARS="0")
    assert zero.returncode != 0 and "RETENTION_YEARS and ACCESS_LOG_RETENTION_DAYS must be at least 1" in zero.stderr
