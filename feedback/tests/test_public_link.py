"""The one-time feedback link: no account, its own plain pages, works once, expires, never leaks."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from cases.tests.factories import CaseFactory
from feedback import services
from feedback.models import Feedback, FeedbackRequest

from .helpers import answer_all

pytestmark = pytest.mark.django_db

PARENT_ANSWERS = {"helpfulness": "9", "helped": "yes", "understood": "not_sure", "anything_else": "ok"}


@pytest.fixture
def case(team, practitioner):
    return CaseFactory(reference="FB-SECRET-REF-1", team=team, practitioner=practitioner)


@pytest.fixture
def link(case, practitioner):
    return services.feedback_request_create(case=case, audience="parent_carer", by=practitioner)


def test_the_start_page_opens_without_an_account(client, link):
    _, token = link
    response = client.get(f"/f/{token}/")
    assert response.status_code == 200
    assert "Tell us how we did" in response.content.decode()


def test_answers_are_saved_against_the_case_and_its_team(client, link, case):
    _, token = link
    response = answer_all(client, token, PARENT_ANSWERS)
    assert response.redirect_chain[-1][0] == "/f/thank-you/"
    assert "Thank you" in response.content.decode()
    feedback = Feedback.objects.get()
    assert (feedback.case, feedback.region, feedback.team) == (case, case.region, case.team)
    assert (feedback.respondent, feedback.channel, feedback.helpfulness) == ("parent_carer", "online", 9)
    assert feedback.worker_helped is True and feedback.understood_recommendation is None
    assert feedback.comments == "ok"


def test_a_link_works_once(client, link):
    _, token = link
    answer_all(client, token, PARENT_ANSWERS)
    second = client.get(f"/f/{token}/")
    assert second.status_code == 410
    assert "already been used" in second.content.decode()
    assert client.post(f"/f/{token}/check/", {}).status_code == 410
    assert Feedback.objects.count() == 1


def test_an_expired_link_says_so_kindly(client, link):
    _, token = link
    with time_machine.travel(timezone.now() + datetime.timedelta(days=29)):
        response = client.get(f"/f/{token}/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "expired" in html and "can give you a new link" in html


def test_an_unknown_link_is_refused_without_a_500(client, link):
    response = client.get("/f/not-a-real-token/")
    assert response.status_code == 410
    assert "not right" in response.content.decode()


def test_the_link_is_stored_only_hashed(link):
    _, token = link
    assert not FeedbackRequest.objects.filter(token_hash=token).exists()
    assert token not in str(list(FeedbackRequest.objects.values_list()))


def test_sending_with_no_answers_is_refused_and_nothing_saved(client, link):
    _, token = link
    response = client.post(f"/f/{token}/check/", {})
    assert response.status_code == 200
    assert "Answer at least one question" in response.content.decode()
    assert not Feedback.objects.exists()
    assert FeedbackRequest.objects.get().used_at is None


def test_a_made_up_answer_is_an_error_not_a_500(client, link):
    _, token = link
    response = client.post(f"/f/{token}/questions/", {"helpfulness": "11"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not Feedback.objects.exists()


def test_too_long_free_text_is_refused_with_a_message(client, link):
    _, token = link
    response = client.post(f"/f/{token}/questions/", {"anything_else": "x" * 2001})
    assert response.status_code == 200
    assert "2000 characters or fewer" in response.content.decode()


def test_answers_wait_in_the_session_until_sent(client, link):
    _, token = link
    client.post(f"/f/{token}/questions/", {"helpfulness": "7"})
    assert not Feedback.objects.exists()
    check = client.get(f"/f/{token}/check/").content.decode()
    assert "Check your answers" in check and ">7<" in check.replace("\n", "").replace(" ", "")


def test_anonymous_answers_count_for_the_team_but_not_against_the_case(client, link, case):
    _, token = link
    answer_all(client, token, PARENT_ANSWERS, anonymous=True)
    feedback = Feedback.objects.get()
    assert feedback.case is None
    assert feedback.team == case.team and feedback.anonymous
    request = FeedbackRequest.objects.get()
    assert request.used_at is not None and request.feedback is None  # nothing leads back to the case


def test_free_text_is_shown_escaped(client, link):
    _, token = link
    client.post(f"/f/{token}/questions/", {"anything_else": "<script>alert(1)</script>"})
    html = client.get(f"/f/{token}/check/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


@pytest.mark.parametrize("page", ["", "questions/", "check/"])
def test_the_public_layout_has_no_staff_link_and_leaks_no_case_data(client, link, case, practitioner, page):
    _, token = link
    html = client.get(f"/f/{token}/{page}").content.decode()
    assert "Tell us how we did" in html
    for leak in [case.reference, case.region.name, case.team.name, practitioner.full_name]:
        assert leak not in html
    for staff in ["Quality assurance", "handle them with care", "/accounts/", "/cases/", "/dashboards/", "Sign out"]:
        assert staff not in html
    assert "/f/privacy/" in html and "/f/accessibility/" in html
    # No inline script (a strict Content-Security-Policy is coming): every <script> has a src.
    assert html.count("<script") == html.count("<script src=")


@pytest.mark.parametrize("url", ["/f/privacy/", "/f/accessibility/", "/f/thank-you/"])
def test_the_public_help_pages_open_without_an_account(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "Quality assurance" not in response.content.decode()


def test_the_public_pages_run_a_constant_number_of_queries(client, link, django_assert_max_num_queries):
    _, token = link
    # The link (1), its question set and questions (2), the session (1).
    with django_assert_max_num_queries(4):
        client.get(f"/f/{token}/questions/")


def test_feedback_received_is_announced_after_commit(link, django_capture_on_commit_callbacks):
    from feedback.signals import feedback_received

    _, token = link
    seen = []

    def receiver(sender, feedback, **kwargs):
        seen.append(feedback.pk)

    feedback_received.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            feedback = services.feedback_submit_via_link(token=token, answers={"helpfulness": "5"})
    finally:
        feedback_received.disconnect(receiver)
    assert seen == [feedback.pk]


def test_the_service_refuses_an_answer_that_is_not_a_choice_and_saves_nothing(link):
    from django.core.exceptions import ValidationError

    _, token = link
    with pytest.raises(ValidationError):
        services.feedback_submit_via_link(token=token, answers={"helpfulness": "eleven"})
    assert not Feedback.objects.exists()
    assert FeedbackRequest.objects.get().used_at is None
