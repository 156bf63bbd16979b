"""The one-time feedback link: no account, plain words, works once, expires, never leaks."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from cases.tests.factories import CaseFactory
from feedback import services
from feedback.models import Feedback, FeedbackRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(team, practitioner):
    return CaseFactory(reference="FB-1", team=team, practitioner=practitioner)


@pytest.fixture
def link(case, practitioner):
    return services.feedback_request_create(case=case, respondent="child", by=practitioner)


def answer(client, token, **data):
    payload = {"helpfulness": "9", "worker_helped": "yes", "understood_recommendation": "not_sure", "comments": "ok"}
    payload.update(data)
    return client.post(f"/f/{token}/", payload)


def test_the_form_opens_without_an_account(client, link):
    _, token = link
    response = client.get(f"/f/{token}/")
    assert response.status_code == 200
    assert "Tell us what you think" in response.content.decode()


def test_answers_are_saved_against_the_case_and_its_team(client, link, case):
    _, token = link
    response = answer(client, token)
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    feedback = Feedback.objects.get()
    assert (feedback.case, feedback.region, feedback.team) == (case, case.region, case.team)
    assert (feedback.respondent, feedback.channel, feedback.helpfulness) == ("child", "online", 9)
    assert feedback.worker_helped is True and feedback.understood_recommendation is None


def test_a_link_works_once(client, link):
    _, token = link
    answer(client, token)
    second = answer(client, token, comments="again")
    assert second.status_code == 410
    assert "already been used" in second.content.decode()
    assert Feedback.objects.count() == 1


def test_an_expired_link_says_so(client, link):
    _, token = link
    with time_machine.travel(timezone.now() + datetime.timedelta(days=29)):
        response = client.get(f"/f/{token}/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_an_unknown_link_is_refused_without_a_500(client, link):
    response = client.get("/f/not-a-real-token/")
    assert response.status_code == 410
    assert "not right" in response.content.decode()


def test_the_link_is_stored_only_hashed(link):
    _, token = link
    assert not FeedbackRequest.objects.filter(token_hash=token).exists()
    assert token not in str(list(FeedbackRequest.objects.values_list()))


def test_an_empty_answer_is_refused_and_nothing_saved(client, link):
    _, token = link
    response = client.post(f"/f/{token}/", {})
    assert response.status_code == 200
    assert "Answer at least one question" in response.content.decode()
    assert not Feedback.objects.exists()
    assert FeedbackRequest.objects.get().used_at is None


def test_a_made_up_helpfulness_value_is_an_error_not_a_500(client, link):
    _, token = link
    response = answer(client, token, helpfulness="11")
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not Feedback.objects.exists()


def test_anonymous_answers_count_for_the_team_but_not_against_the_case(client, link, case):
    _, token = link
    answer(client, token, anonymous="on")
    feedback = Feedback.objects.get()
    assert feedback.case is None
    assert feedback.team == case.team and feedback.anonymous


def test_feedback_received_is_announced_after_commit(link, django_capture_on_commit_callbacks):
    from feedback.signals import feedback_received

    _, token = link
    seen = []

    def receiver(sender, feedback, **kwargs):
        seen.append(feedback.pk)

    feedback_received.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            feedback = services.feedback_submit_via_link(
                token=token,
                answers=services.Answers(
                    helpfulness=5, worker_helped=None, understood_recommendation=None, comments="", anonymous=False
                ),
            )
    finally:
        feedback_received.disconnect(receiver)
    assert seen == [feedback.pk]
