"""The case page shows the case's audits and feedback, from their own apps, at a fixed query cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import Grade
from audits.tests.factories import AuditFactory, CompletedAuditFactory
from cases.tests.factories import CaseFactory
from feedback.tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db


def url(case):
    return reverse("cases:detail", args=[case.reference])


def test_a_manager_sees_the_audits_and_feedback_of_a_case_with_links_to_act(client, service_manager, team):
    case = CaseFactory(team=team, reference="SEC-1")
    done = CompletedAuditFactory(case=case, overall_grade=Grade.GOOD)
    FeedbackFactory(case=case, helpfulness=9, respondent="child")
    FeedbackFactory(case=CaseFactory(team=team), respondent="judge")  # another case's: not shown
    client.force_login(service_manager)
    html = client.get(url(case)).content.decode()
    assert reverse("audits:detail", args=[done.pk]) in html
    assert "Good" in html
    assert "Child or young person" in html
    assert f"{reverse('audits:new')}?case=SEC-1" in html
    assert reverse("feedback:request", args=["SEC-1"]) in html
    assert "Judge or magistrate" not in html


def test_a_practitioner_sees_only_what_they_may_and_cannot_arrange_audits(client, practitioner, team):
    case = CaseFactory(team=team, practitioner=practitioner)
    CompletedAuditFactory(case=case)
    client.force_login(practitioner)
    html = client.get(url(case)).content.decode()
    assert "Arrange an audit" not in html


def test_the_sections_cost_the_same_queries_for_one_or_many_rows(
    client, service_manager, team, django_assert_num_queries
):
    case = CaseFactory(team=team)
    AuditFactory(case=case)
    FeedbackFactory(case=case)
    client.force_login(service_manager)
    client.get(url(case))
    with CaptureQueriesContext(connection) as one:
        client.get(url(case))
    for _ in range(8):
        AuditFactory(case=case)
        FeedbackFactory(case=case)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(url(case))
