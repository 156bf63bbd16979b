"""Theme counts in the snapshots (ThemeSnapshot) and on the region and national dashboards."""

import csv
import datetime
import io
from collections import Counter

import pytest
from django.urls import reverse

from cases.tests.factories import CaseFactory
from dashboards.models import ThemeSnapshot
from dashboards.rollup import rollup_all, rollup_slice
from feedback.complaints import feedback_themes_set
from feedback.models import Theme
from feedback.tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2025, 6, 1)
JULY = datetime.date(2025, 7, 1)


@pytest.fixture
def themes(db):
    return {name: Theme.objects.create(name=name) for name in ("Communication", "Delay", "Listening")}


def tagged(team, day, names, themes):
    if team is None:
        feedback = FeedbackFactory(case=None, region=None, team=None, received_on=day)
    else:
        feedback = FeedbackFactory(case=CaseFactory(team=team), received_on=day)
    feedback.themes.set([themes[n] for n in names])
    return feedback


def snapshot():
    return {(r.region_id, r.team_id, r.month, r.theme_id): r.count for r in ThemeSnapshot.objects.all()}


def rows_as_stored():
    return sorted(
        ThemeSnapshot.objects.values_list("pk", "region_id", "team_id", "month", "theme_id", "count", "computed_at")
    )


@pytest.fixture
def items(team, other_team):
    """(team, day received, themes) of the test's own feedback."""
    return [
        (team, datetime.date(2025, 6, 1), ["Communication", "Delay"]),
        (team, datetime.date(2025, 6, 30), ["Delay"]),
        (team, datetime.date(2025, 6, 12), []),  # untagged: counts nowhere
        (team, datetime.date(2025, 7, 1), ["Listening"]),
        (other_team, datetime.date(2025, 6, 20), ["Delay"]),
        (other_team, datetime.date(2025, 6, 21), ["Delay", "Listening"]),
    ]


def expected_by_hand(items, themes):
    out = Counter()
    for team, day, names in items:
        for name in names:
            out[(team.region_id, team.pk, day.replace(day=1), themes[name].pk)] += 1
    return dict(out)


def test_theme_counts_equal_the_tagged_feedback_counted_by_hand(items, themes):
    for team, day, names in items:
        tagged(team, day, names, themes)
    tagged(None, datetime.date(2025, 6, 2), ["Delay"], themes)  # no case: no region, no row

    rollup_all()

    assert snapshot() == expected_by_hand(items, themes)
    assert {r.theme_name for r in ThemeSnapshot.objects.filter(theme=themes["Delay"])} == {"Delay"}


def test_rerunning_the_rollup_changes_no_row(items, themes):
    for team, day, names in items:
        tagged(team, day, names, themes)
    rollup_all()
    before = rows_as_stored()

    rollup_all()
    rollup_slice(region_id=items[0][0].region_id, month=JUNE)

    assert rows_as_stored() == before


def test_tagging_rolls_up_only_that_slice(
    client, service_manager, items, themes, team, other_team, django_capture_on_commit_callbacks
):
    made = [tagged(t, day, names, themes) for t, day, names in items]
    rollup_all()
    before = {row[1:5]: row for row in rows_as_stored()}
    untagged = made[2]  # team, June, no themes yet

    client.force_login(service_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("feedback:themes", args=[untagged.pk]),
            {"themes": [themes["Communication"].pk, themes["Listening"].pk]},
        )
    assert response.status_code == 302

    after = {row[1:5]: row for row in rows_as_stored()}
    june_here = {k for k in after if k[0] == team.region_id and k[2] == JUNE}
    for key in set(before) | set(after):
        if key not in june_here:
            assert after.get(key) == before.get(key), key  # same row, same computed_at
    items[2] = (team, items[2][1], ["Communication", "Listening"])
    assert snapshot() == expected_by_hand(items, themes)
    assert after[(team.region_id, team.pk, JUNE, themes["Communication"].pk)][5] == 2


def test_untagging_removes_the_count(themes, team, django_capture_on_commit_callbacks):
    feedback = tagged(team, datetime.date(2025, 6, 5), ["Delay"], themes)
    rollup_all()
    assert snapshot() == {(team.region_id, team.pk, JUNE, themes["Delay"].pk): 1}

    with django_capture_on_commit_callbacks(execute=True):
        feedback_themes_set(feedback=feedback, themes=[])

    assert snapshot() == {}


# ---- the pages --------------------------------------------------------------------------------


def region_url(region, **params):
    return reverse("dashboards:region", args=[region.code]) + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def themes_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_region_page_shows_each_theme_beside_national_and_downloads(client, service_manager, items, themes, region):
    for team, day, names in items:
        tagged(team, day, names, themes)
    rollup_all()
    client.force_login(service_manager)

    response = client.get(region_url(region, period="2025-06"))
    table = response.context["tables"]["themes"]
    # June 2025: North East: Communication 1, Delay 2; South West: Delay 2, Listening 1.
    assert [[c.text for c in row] for row in table.rows] == [
        ["Communication", "1", "1"],
        ["Delay", "2", "4"],
        ["Listening", "0", "1"],
    ]
    delay = table.rows[1][1].href
    assert delay.startswith(reverse("feedback:list")) and f"theme={themes['Delay'].pk}" in delay
    assert "region=north-east" in delay and "received_from=2025-06" in delay
    assert table.rows[1][2].href == ""  # national: only admins see every region's feedback
    assert table.rows[2][1].href == ""  # nothing to list

    listed = client.get(delay)
    assert listed.status_code == 200
    assert listed.context["summary"]["total"] == 2
    assert "Theme: Delay" in listed.content.decode()

    download = client.get(region_url(region, period="2025-06", format="csv", table="themes"))
    assert download.status_code == 200
    assert themes_csv(download) == [
        ["Theme", "North East", "National"],
        ["Communication", "1", "1"],
        ["Delay", "2", "4"],
        ["Listening", "0", "1"],
    ]


def test_national_page_counts_themes_by_region_with_links_for_admins(client, quality_admin, items, themes):
    for team, day, names in items:
        tagged(team, day, names, themes)
    rollup_all()
    client.force_login(quality_admin)

    response = client.get(reverse("dashboards:national"), {"period": "2025-07"})
    table = response.context["tables"]["themes"]
    assert [c.label for c in table.columns] == ["Theme", "North East", "South West", "National (all regions)"]
    assert [[c.text for c in row] for row in table.rows] == [["Listening", "1", "0", "1"]]
    assert f"theme={themes['Listening'].pk}" in table.rows[0][3].href
    assert "region=" not in table.rows[0][3].href


def test_board_members_see_theme_counts_without_links(client, board_member, items, themes, region):
    for team, day, names in items:
        tagged(team, day, names, themes)
    rollup_all()
    client.force_login(board_member)

    for url in (reverse("dashboards:national") + "?period=2025-06", region_url(region, period="2025-06")):
        table = client.get(url).context["tables"]["themes"]
        assert table.rows and all(cell.href == "" for row in table.rows for cell in row), url


def test_a_theme_filter_that_is_not_a_theme_is_explained(client, service_manager, team, themes):
    tagged(team, datetime.date(2025, 6, 5), ["Delay"], themes)
    client.force_login(service_manager)
    for bad in ("abc", "999999", "1" * 30):
        response = client.get(reverse("feedback:list"), {"theme": bad})
        assert response.status_code == 200
        assert "That theme is not one we know" in response.content.decode()
        assert response.context["summary"]["total"] == 1


def test_tagging_in_the_admin_rolls_up_the_slice_too(client, themes, team, django_capture_on_commit_callbacks):
    from organisation.tests.factories import UserFactory

    feedback = tagged(team, datetime.date(2025, 6, 5), ["Delay"], themes)
    rollup_all()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:feedback_feedback_change", args=[feedback.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {}
    for name, bound in form.fields.items():
        value = form.initial.get(name, bound.initial)
        if value is None or value is False:
            continue
        if isinstance(value, datetime.datetime):  # the admin's split date and time
            data[f"{name}_0"], data[f"{name}_1"] = value.date().isoformat(), value.time().isoformat()
        else:
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    data["themes"] = [themes["Listening"].pk]
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert snapshot() == {(team.region_id, team.pk, JUNE, themes["Listening"].pk): 1}


def test_the_theme_counts_come_from_the_snapshots_alone(client, quality_admin, items, themes, region):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .sql import source_tables, tables_read

    for team, day, names in items:
        tagged(team, day, names, themes)
    rollup_all()
    client.force_login(quality_admin)
    for url in (reverse("dashboards:national") + "?period=2025-06", region_url(region, period="2025-06")):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).context["tables"]["themes"].rows, url
        assert source_tables(queries.captured_queries) == set(), url
        assert "dashboards_themesnapshot" in tables_read(queries.captured_queries), url
