"""Per-link and per-address limits on the public feedback pages (issue 15: they stay)."""

import pytest

from feedback.models import FeedbackRequest
from feedback.services import feedback_request_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(case_for_links, service_manager):
    return feedback_request_create(case=case_for_links, audience="parent_carer", by=service_manager)


@pytest.fixture
def case_for_links(team, practitioner):
    from cases.tests.factories import CaseFactory

    return CaseFactory(reference="RATE-1", team=team, practitioner=practitioner)


def _token(created) -> str:
    _request, token = created
    return token


def test_one_link_opened_past_its_limit_is_asked_to_wait(client, settings, link):
    settings.FEEDBACK_RATE_PER_LINK = 5
    token = _token(link)
    for _ in range(5):
        assert client.get(f"/f/{token}/").status_code == 200
    busy = client.get(f"/f/{token}/", REMOTE_ADDR="10.0.0.9")  # another address: the link's own limit
    assert busy.status_code == 429
    html = busy.content.decode()
    assert "Please wait a few minutes" in html and "RATE-1" not in html


def test_one_address_guessing_links_is_stopped(client, settings):
    settings.FEEDBACK_RATE_PER_ADDRESS = 10
    answers = [client.get(f"/f/guess-{n:04d}/").status_code for n in range(12)]
    assert answers[:10] == [410] * 10  # unknown links: said kindly, and counted
    assert answers[10:] == [429, 429]
    assert client.get("/f/guess-9999/", REMOTE_ADDR="192.0.2.7").status_code == 410  # others unaffected


def test_limits_do_not_spill_into_the_next_window(client, settings, link, monkeypatch):
    settings.FEEDBACK_RATE_PER_LINK = 2
    token = _token(link)
    clock = [1_000_000.0]
    monkeypatch.setattr("feedback.public_views.time.time", lambda: clock[0])
    assert [client.get(f"/f/{token}/").status_code for _ in range(3)] == [200, 200, 429]
    clock[0] += settings.FEEDBACK_RATE_WINDOW_SECONDS
    assert client.get(f"/f/{token}/").status_code == 200
    assert FeedbackRequest.objects.filter(used_at__isnull=True).count() == 1  # nothing was used up
