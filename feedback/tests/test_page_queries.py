"""The new staff pages run a constant number of queries whatever the data size."""

import datetime

import pytest

from cases.tests.factories import CaseFactory, ChildFactory
from feedback import services
from feedback.links import feedback_requests_for_closed_case
from feedback.models import FeedbackRequest, Theme
from organisation.tests.factories import UserFactory

from .factories import FeedbackFactory

pytestmark = pytest.mark.django_db


def same_queries(client, url, grow, django_assert_max_num_queries, start=25):
    with django_assert_max_num_queries(start) as few:
        assert client.get(url).status_code == 200
    grow()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_theme_counts(client, quality_admin, team, other_team, django_assert_max_num_queries):
    themes = [Theme.objects.create(name=f"Theme {n}") for n in range(3)]
    FeedbackFactory(case=CaseFactory(team=team), received_on=datetime.date(2025, 6, 2)).themes.set(themes[:1])
    client.force_login(quality_admin)

    def grow():
        for n in range(20):
            FeedbackFactory(case=CaseFactory(team=other_team), received_on=datetime.date(2025, 6, 3)).themes.set(
                themes[: n % 3 + 1]
            )

    same_queries(client, "/feedback/themes/?from=2025-06-01&to=2025-06-30", grow, django_assert_max_num_queries)


def test_case_page_with_links_to_hand_over(client, practitioner, team, django_assert_max_num_queries):
    case = CaseFactory(reference="PQ-1", team=team, practitioner=practitioner)
    ChildFactory(case=case, age_band="5-9")
    feedback_requests_for_closed_case(case=case)
    client.force_login(practitioner)

    def grow():
        for _ in range(5):
            ChildFactory(case=case, age_band="10-14")
        FeedbackRequest.objects.filter(case=case).delete()
        feedback_requests_for_closed_case(case=case)
        for _ in range(10):
            FeedbackFactory(case=case)

    same_queries(client, "/cases/PQ-1/", grow, django_assert_max_num_queries, start=40)


def test_complaint_page(client, service_manager, team, django_assert_max_num_queries):
    complaint = services.feedback_record(
        by=None,
        case=CaseFactory(team=team),
        respondent="parent_carer",
        channel="phone",
        kind="complaint",
        received_on=datetime.date(2025, 6, 2),
        comments="Nobody called back",
    )
    client.force_login(service_manager)

    def grow():  # more people who could own it, and more complaints in the region
        UserFactory.create_batch(8, team=team, roles=["service_manager"])
        for _ in range(5):
            FeedbackFactory(case=CaseFactory(team=team), kind="complaint")

    same_queries(client, f"/feedback/complaints/{complaint.pk}/", grow, django_assert_max_num_queries)


def test_hand_over_page(client, practitioner, team, django_assert_max_num_queries):
    case = CaseFactory(reference="PQ-2", team=team, practitioner=practitioner)
    feedback_requests_for_closed_case(case=case)
    request = FeedbackRequest.objects.filter(case=case).first()
    client.force_login(practitioner)
    same_queries(client, f"/feedback/requests/{request.pk}/", lambda: None, django_assert_max_num_queries)
