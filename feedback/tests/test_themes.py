"""Themes: staff tag feedback, counts by region and period, and the printable "you said, we did" page."""

import datetime

import pytest

from cases.tests.factories import CaseFactory
from feedback.models import Theme, YouSaidWeDid

from .factories import FeedbackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def themes():
    return Theme.objects.create(name="Being listened to"), Theme.objects.create(name="Keeping in touch")


def test_staff_tag_feedback_they_can_see_with_themes(client, service_manager, team, themes):
    feedback = FeedbackFactory(case=CaseFactory(team=team), comments="Nobody rang me")
    client.force_login(service_manager)
    response = client.post(f"/feedback/{feedback.pk}/themes/", {"themes": [themes[1].pk]})
    assert response.status_code == 302
    assert list(feedback.themes.values_list("name", flat=True)) == ["Keeping in touch"]


def test_an_outsider_cannot_tag_another_regions_feedback(client, other_manager, team, themes):
    feedback = FeedbackFactory(case=CaseFactory(team=team))
    client.force_login(other_manager)
    assert client.post(f"/feedback/{feedback.pk}/themes/", {"themes": [themes[0].pk]}).status_code == 404
    assert not feedback.themes.exists()


def test_theme_counts_by_region_and_period(client, quality_admin, team, other_team, themes):
    listened, touch = themes
    rows = [
        (team, datetime.date(2025, 6, 1), [listened, touch]),
        (team, datetime.date(2025, 6, 30), [listened]),
        (other_team, datetime.date(2025, 6, 15), [listened]),
        (team, datetime.date(2025, 7, 1), [touch]),  # outside the period
    ]
    for t, day, tags in rows:
        FeedbackFactory(case=CaseFactory(team=t), received_on=day).themes.set(tags)
    client.force_login(quality_admin)
    response = client.get("/feedback/themes/?from=2025-06-01&to=2025-06-30")
    regions = [r.pk for r in response.context["regions"]]
    by_name = {row["name"]: dict(zip(regions, row["cells"], strict=True)) for row in response.context["rows"]}
    assert by_name == {
        "Being listened to": {team.region_id: 2, other_team.region_id: 1},
        "Keeping in touch": {team.region_id: 1, other_team.region_id: 0},
    }


def test_a_manager_counts_only_their_region(client, service_manager, team, other_team, themes):
    FeedbackFactory(case=CaseFactory(team=other_team), received_on=datetime.date(2025, 6, 2)).themes.set(themes)
    client.force_login(service_manager)
    response = client.get("/feedback/themes/?from=2025-06-01&to=2025-06-30")
    assert [r.pk for r in response.context["regions"]] == [team.region_id]
    assert response.context["rows"] == []


def test_bad_dates_are_explained_not_a_500(client, quality_admin):
    client.force_login(quality_admin)
    response = client.get("/feedback/themes/?from=June&to=2025-06-30")
    assert response.status_code == 200
    assert "Enter dates as YYYY-MM-DD" in response.content.decode()


def test_you_said_we_did_lists_a_regions_actions_and_nothing_personal(client, service_manager, team, themes):
    case = CaseFactory(team=team, reference="YS-SECRET")
    FeedbackFactory(case=case, comments="My worker Jo never rang").themes.set([themes[1]])
    YouSaidWeDid.objects.create(
        region=team.region,
        theme=themes[1],
        you_said="You told us it was hard to reach your worker.",
        we_did="Every family now gets a named duty worker and a direct number.",
        done_on=datetime.date(2025, 9, 1),
        plan_action="Plan 2, action 1.3",
    )
    client.force_login(service_manager)
    html = client.get(f"/feedback/you-said-we-did/{team.region.code}/").content.decode()
    assert "hard to reach your worker" in html and "named duty worker" in html and "September 2025" in html
    assert "YS-SECRET" not in html and "never rang" not in html


def test_you_said_we_did_of_another_region_is_refused(client, other_manager, team):
    client.force_login(other_manager)
    assert client.get(f"/feedback/you-said-we-did/{team.region.code}/").status_code == 404
