"""Sign-in throttling (django-axes, enabled here as in production): 5 failures for one username
from one address lock that pair out for 15 minutes; failures are logged; a quality admin unlocks."""

import datetime
import logging

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.utils import timezone

from organisation.access_log import client_ip
from organisation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
RIGHT = "demo-password-1"  # UserFactory's password
HERE = "10.1.1.1"
ELSEWHERE = "10.2.2.2"


@pytest.fixture
def person(team):
    return UserFactory(username="target", team=team, roles=["practitioner"])


def sign_in(client, username, password, address=HERE):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_five_times(client, username="target", address=HERE):
    return [sign_in(client, username, f"wrong-{n}", address) for n in range(5)]


def test_four_failures_still_let_the_right_password_in(client, person):
    for n in range(4):
        assert sign_in(client, "target", f"wrong-{n}").status_code == 200
    response = sign_in(client, "target", RIGHT)
    assert response.status_code == 302 and signed_in(client)


def test_five_wrong_passwords_then_the_right_one_is_refused(client, person):
    responses = fail_five_times(client)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429  # the fifth failure locks at once
    response = sign_in(client, "target", RIGHT)
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_lock_out_page_is_a_gov_uk_page_saying_how_long_and_what_to_do(client, person):
    fail_five_times(client)
    response = sign_in(client, "target", RIGHT)
    html = response.content.decode()
    assert "govuk-template" in html and 'class="govuk-heading-l"' in html
    assert "Sign-in locked for 15 minutes" in html
    assert "ask a quality admin to unlock" in html
    assert "<strong>target</strong>" in html


def test_another_address_is_not_locked_out_of_the_same_account(client, person):
    fail_five_times(client, address=HERE)
    other = Client()
    response = sign_in(other, "target", RIGHT, address=ELSEWHERE)
    assert response.status_code == 302 and signed_in(other)


def test_another_account_from_the_same_address_is_not_locked_out(client, person, team):
    UserFactory(username="neighbour", team=team, roles=["practitioner"])
    fail_five_times(client, username="target")
    response = sign_in(client, "neighbour", RIGHT)
    assert response.status_code == 302 and signed_in(client)


def test_the_lock_out_lifts_after_15_minutes(client, person):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail_five_times(client)
    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        assert sign_in(client, "target", RIGHT).status_code == 429  # refused, without restarting the clock
    with time_machine.travel(start + datetime.timedelta(minutes=15, seconds=5), tick=False):
        assert sign_in(client, "target", RIGHT).status_code == 302


def test_failed_sign_ins_are_logged_and_kept(client, person, caplog):
    with caplog.at_level(logging.WARNING, logger="organisation.signin"):
        for n in range(3):
            sign_in(client, "target", f"wrong-{n}")
    lines = [r.getMessage() for r in caplog.records if r.name == "organisation.signin"]
    assert len(lines) == 3
    assert all("username='target'" in line and f"address={HERE}" in line for line in lines)
    assert all("wrong-" not in line for line in lines)  # never the password tried
    kept = AccessFailureLog.objects.filter(username="target", ip_address=HERE)
    assert kept.count() == 3
    attempt = AccessAttempt.objects.get(username="target", ip_address=HERE)
    assert attempt.failures_since_start == 3
    assert "wrong-" not in attempt.post_data  # axes keeps the form without the password


def test_a_quality_admin_unlocks_a_locked_out_person_from_the_people_list(client, person, quality_admin):
    fail_five_times(client)
    assert sign_in(client, "target", RIGHT).status_code == 429
    admin = Client()
    admin.force_login(quality_admin)
    response = admin.post(
        "/admin/organisation/user/",
        {"action": "unlock_sign_in", "_selected_action": [person.pk]},
        follow=True,
    )
    assert "Sign-in unlocked for target." in response.content.decode()
    response = sign_in(client, "target", RIGHT)
    assert response.status_code == 302 and signed_in(client)


def test_a_quality_admin_reads_and_clears_the_sign_in_records(client, person, quality_admin):
    fail_five_times(client)
    admin = Client()
    admin.force_login(quality_admin)
    assert "target" in admin.get("/admin/axes/accessattempt/").content.decode()
    assert "target" in admin.get("/admin/axes/accessfailurelog/").content.decode()
    attempt = AccessAttempt.objects.get(username="target")
    response = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert sign_in(client, "target", RIGHT).status_code == 302


def test_other_roles_cannot_unlock_or_read_the_sign_in_records(client, person, service_manager):
    fail_five_times(client)
    manager = Client()
    manager.force_login(service_manager)
    assert manager.get("/admin/axes/accessattempt/").status_code == 302  # to the admin's sign-in
    manager.post("/admin/organisation/user/", {"action": "unlock_sign_in", "_selected_action": [person.pk]})
    assert sign_in(client, "target", RIGHT).status_code == 429


def test_the_address_is_remote_addr_unless_proxies_are_trusted(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.9.9.9"  # a client-written header proves nothing
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.5"  # what our one proxy saw, not what the client claimed


def test_a_try_during_the_lock_out_is_logged(client, person, caplog):
    fail_five_times(client)
    with caplog.at_level(logging.WARNING, logger="organisation.signin"):
        assert sign_in(client, "target", RIGHT).status_code == 429
    assert f"sign-in locked out: username='target' address={HERE}" in caplog.text
