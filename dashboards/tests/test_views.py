"""Dashboard pages: figures, access, the period picker, CSV, and a constant number of snapshot-only queries."""

import csv
import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import ApplicationType
from cases.tests.factories import CaseFactory
from dashboards.rollup import rollup_all
from organisation.tests.factories import TeamFactory, UserFactory

from .helpers import make_audits, wilson_by_hand
from .sql import source_tables, tables_read

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2025, 6, 10)
NATIONAL = reverse("dashboards:national")


def region_url(region, **params):
    from urllib.parse import urlencode

    url = reverse("dashboards:region", args=[region.code])
    return url + ("?" + urlencode(params) if params else "")


@pytest.fixture
def figures(team, other_team):
    """North East: 9 of 12 good or better in June 2025; South West: 2 of 10."""
    make_audits(team, JUNE, [4, 4, 3, 3, 3, 3, 3, 3, 3, 2, 2, 1], family_feedback=6)
    make_audits(other_team, JUNE, [4, 3, 2, 2, 2, 2, 1, 1, 1, 1], family_feedback=1)
    rollup_all()


def text(response):
    return response.content.decode()


def test_national_page_shows_each_region_with_its_interval(client, board_member, figures):
    client.force_login(board_member)
    response = client.get(NATIONAL, {"period": "2025-06"})
    assert response.status_code == 200
    body = text(response)
    low, high = wilson_by_hand(9, 12)
    assert f"75% ({low:.0f}–{high:.0f}%)" in body
    low, high = wilson_by_hand(2, 10)
    assert f"20% ({low:.0f}–{high:.0f}%)" in body
    low, high = wilson_by_hand(11, 22)
    assert f"50% ({low:.0f}–{high:.0f}%)" in body  # national: 11 of 22
    assert "Figures as of" in body
    assert 'id="chart-data"' in body


def test_marker_only_where_the_interval_lies_wholly_off_the_national_figure(client, board_member, figures):
    client.force_login(board_member)
    body = text(client.get(NATIONAL, {"period": "2025-06"}))
    # North East 9/12: interval (46.8, 91.1) contains national 50% -> no marker.
    # South West 2/10: interval (5.7, 51.0) contains 50% -> no marker either.
    assert "Above national</strong>" not in body and "Below national</strong>" not in body


def test_a_region_whose_interval_is_wholly_above_national_is_marked(client, board_member, team, other_team):
    make_audits(team, JUNE, [4] * 30)
    make_audits(other_team, JUNE, [2] * 30)
    rollup_all()
    client.force_login(board_member)
    body = text(client.get(NATIONAL, {"period": "2025-06"}))
    assert body.count("Above national</strong>") == 1
    assert body.count("Below national</strong>") == 1


def test_service_manager_sees_national_totals_and_only_their_own_region_row(client, service_manager, figures):
    client.force_login(service_manager)
    body = text(client.get(NATIONAL, {"period": "2025-06"}))
    assert "North East" in body
    assert "South West" not in body
    assert "National (all regions)" in body


def test_region_page_for_its_manager(client, service_manager, region, team, figures):
    UserFactory(team=team, roles=["practitioner"])  # plus the 12 case practitioners the factory made: 13
    client.force_login(service_manager)
    response = client.get(region_url(region, period="2025-06"))
    assert response.status_code == 200
    body = text(response)
    assert "North East" in body and team.name in body
    assert reverse("dashboards:team", args=[region.code, team.code]) in body
    # Compliance is the share of the 13 practitioners on course (one audit each at most): none.
    assert "0% (0 of 13)" in body
    assert "50% (6 of 12)" in body  # family feedback


def test_service_manager_may_not_open_another_regions_page(client, service_manager, other_region, figures):
    client.force_login(service_manager)
    assert client.get(region_url(other_region)).status_code == 403
    team = other_region.teams.first()
    assert client.get(reverse("dashboards:team", args=[other_region.code, team.code])).status_code == 403


@pytest.mark.parametrize("who", ["assistant_director", "board_member", "quality_admin"])
def test_national_roles_open_every_region(client, request, who, region, other_region, figures):
    client.force_login(request.getfixturevalue(who))
    assert client.get(region_url(region)).status_code == 200
    assert client.get(region_url(other_region)).status_code == 200


@pytest.mark.parametrize("who", ["practitioner", "auditor"])
def test_people_without_a_dashboard_role_are_refused(client, request, who, region):
    client.force_login(request.getfixturevalue(who))
    assert client.get(NATIONAL).status_code == 403
    assert client.get(region_url(region)).status_code == 403


def test_unknown_region_or_team_is_404(client, board_member, region):
    client.force_login(board_member)
    assert client.get(region_url(type("R", (), {"code": "atlantis"}))).status_code == 404
    assert client.get(reverse("dashboards:team", args=[region.code, "nope"])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(NATIONAL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("period", ["2025-13", "June", "2025-Q5", "FY25", "1066-01", "<script>"])
def test_a_bad_period_is_explained_on_the_page(client, board_member, region, period):
    client.force_login(board_member)
    response = client.get(NATIONAL, {"period": period})
    assert response.status_code == 400
    assert "There is a problem" in text(response)
    assert "govuk-error-message" in text(response)
    assert client.get(region_url(region, period=period)).status_code == 400


def test_quarter_and_financial_year_sum_their_months(client, board_member, region, team):
    make_audits(team, datetime.date(2025, 4, 2), [4, 2])
    make_audits(team, datetime.date(2025, 6, 30), [3])
    make_audits(team, datetime.date(2026, 3, 31), [1])
    make_audits(team, datetime.date(2026, 4, 1), [4])  # next financial year
    rollup_all()
    client.force_login(board_member)
    quarter = text(client.get(region_url(region, period="2025-Q2")))
    assert "67% (" in quarter and "2 of 3 audits" in quarter
    year = text(client.get(region_url(region, period="FY2025")))
    assert "50% (" in year and "2 of 4 audits" in year


def test_csv_download_of_each_table(client, board_member, region, figures):
    client.force_login(board_member)
    response = client.get(NATIONAL, {"period": "2025-06", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_region = {r["Region"]: r for r in rows}
    assert by_region["North East"]["Audits"] == "12"
    assert by_region["North East"]["Good or better: numerator"] == "9"
    assert float(by_region["North East"]["% good or better"]) == 75.0
    low, _ = wilson_by_hand(9, 12)
    assert float(by_region["North East"]["95% interval low"]) == round(low, 1)
    for table in ["teams", "comparison", "trend", "criteria", "operational"]:
        response = client.get(region_url(region, period="2025-06", format="csv", table=table))
        assert response.status_code == 200, table
        assert response["Content-Disposition"].endswith(f'-{table}.csv"')
    assert client.get(region_url(region, format="csv", table="nope")).status_code == 400


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return ctx.captured_queries


# Queries per page, whatever the data: session, user, roles (3, every page), then
#   national: snapshot status, visible regions, totals by region and team (the regions, national and
#             the exceptions' teams), totals by month, criterion results, feedback by respondent,
#             exceptions (teams, practitioners and their audits), weakest criteria, moderation,
#             characteristics, theme counts (13)
#   region:   region, status, totals by region and team (the teams, the region, national), by month,
#             criteria, moderation, teams, practitioners and their audits (2), criterion results,
#             feedback by respondent, characteristics, national by month (the chart's national line),
#             theme counts (14)
#   team:     region, team, status, totals by region and team (the team, its region, national), by
#             month, criteria, moderation, practitioners and their audits (2), criterion results (all,
#             team), feedback by respondent (all, team), characteristics, national by month (15)
PAGE_QUERIES = [16, 17, 18]


def test_pages_run_a_constant_number_of_snapshot_only_queries(
    client, service_manager, region, team, other_team, django_assert_num_queries
):
    client.force_login(service_manager)
    urls = [
        NATIONAL + "?period=FY2025",
        region_url(region, period="FY2025"),
        reverse("dashboards:team", args=[region.code, team.code]) + "?period=FY2025",
    ]
    make_audits(team, JUNE, [3, 2])
    rollup_all()
    for url, count in zip(urls, PAGE_QUERIES, strict=True):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200

    for month in range(4, 13):
        make_audits(team, datetime.date(2025, month, 3), [4, 3, 2, 1])
        make_audits(TeamFactory(region=region), datetime.date(2025, month, 3), [3, 1])
        make_audits(other_team, datetime.date(2025, month, 3), [2, 2])
    rollup_all()
    for url, count in zip(urls, PAGE_QUERIES, strict=True):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200
        queries = _queries(client, url)
        assert source_tables(queries) == set(), url  # no audits_, cases_ or feedback_ table
        assert "dashboards_kpisnapshot" in tables_read(queries), url


def test_region_page_shows_moderation_agreement_and_weakest_criteria(client, service_manager, region, team):
    from django.utils import timezone

    from audits.models import Audit, Moderation
    from audits.tests.factories import CriterionFactory, JudgementFactory

    moderator = UserFactory(team=team, roles=["auditor"])
    # Auditor x moderator: (3,3) twice, (3,4), (4,4) -> exact 3 of 4 = 75%; linear kappa worked by hand = 0.5
    # (see test_stats.test_linear_weighted_kappa_worked_example for the arithmetic).
    audits = make_audits(team, JUNE, [3, 3, 3, 4])
    for audit, moderated in zip(audits, [3, 3, 4, 4], strict=True):
        Moderation.objects.create(audit=audit, moderator=moderator, grade=moderated, completed_at=timezone.now())
        Audit.objects.filter(pk=audit.pk).update(moderated_grade=moderated)  # as moderation_record does
    weak = CriterionFactory(template=audits[0].template, text="Risk analysis is recorded")
    strong = CriterionFactory(template=audits[0].template, text="The child's voice is heard")
    JudgementFactory(audit=audits[0], criterion=weak, grade=1)
    JudgementFactory(audit=audits[0], criterion=strong, grade=4)
    rollup_all()

    client.force_login(service_manager)
    body = text(client.get(region_url(region, period="2025-06")))
    assert "75% (3 of 4 moderated audits given the same grade)" in body
    assert '<span data-testid="kappa">0.5</span>' in body
    assert "Risk analysis is recorded" in body
    assert "The child&#x27;s voice is heard" not in body  # never graded below Good


def test_the_default_period_is_never_a_future_month(client, board_member, figures, team):
    # A section 7 report due in a future month gives that month a snapshot row of its own.
    CaseFactory(team=team, application_type=ApplicationType.SECTION_7, report_due_on=datetime.date(2099, 3, 2))
    rollup_all()
    client.force_login(board_member)
    with time_machine.travel(datetime.datetime(2025, 7, 15, 12, 0, tzinfo=datetime.UTC), tick=False):
        body = text(client.get(NATIONAL))
    assert '<option value="2025-07" selected>' in body
    assert "2099" not in body


def _pages(region, team, **params):
    from urllib.parse import urlencode

    query = "?" + urlencode(params) if params else ""
    return [
        NATIONAL + query,
        reverse("dashboards:region", args=[region.code]) + query,
        reverse("dashboards:team", args=[region.code, team.code]) + query,
    ]


def test_every_page_says_when_its_figures_were_computed(client, service_manager, region, team, figures):
    client.force_login(service_manager)
    for url in _pages(region, team, period="2025-06"):
        assert "Figures as of" in text(client.get(url)), url


@pytest.mark.parametrize("who", ["assistant_director", "board_member"])
def test_national_readers_see_team_figures_but_no_case_level_data(client, request, who, region, team):
    audits = make_audits(team, JUNE, [3, 2, 1])
    rollup_all()
    client.force_login(request.getfixturevalue(who))
    body = text(client.get(reverse("dashboards:team", args=[region.code, team.code]), {"period": "2025-06"}))
    assert "33% (" in body  # 1 of 3 good or better
    for audit in audits:
        assert audit.case.reference not in body
        assert audit.case.practitioner.username not in body
        assert audit.auditor.username not in body


GARBAGE = [
    "FY99999",
    "2025-Q5",
    "FY2100",  # ends in March 2101: the picker must still draw
    "2100-Q4",
    "FY2000",
    "２０２５-06",
    "ÄÖ€😀",
    "\x00",
    "x" * 5000,
    "../../etc",
    "a%2Fb",
]


@pytest.mark.parametrize("value", GARBAGE)
def test_garbage_in_any_parameter_never_gives_a_500(client, board_member, region, team, figures, value):
    client.force_login(board_member)
    for url in _pages(region, team):
        for params in [
            {"period": value},
            {"period": value, "format": "csv"},
            {"format": value},
            {"format": "csv", "table": value},
            {"period": "2025-06", "format": "csv", "table": value},
        ]:
            response = client.get(url, params)
            assert response.status_code in (200, 400), (url, params)
            if response.status_code == 400:
                # the page's own error summary, or the 400 page for a NUL character (one middleware)
                assert "There is a problem" in text(response) or "could not be read" in text(response), (url, params)
                assert value not in text(response) or len(value) < 50  # long input is cut short


def test_the_last_financial_year_the_picker_reads_shows_its_figures(client, board_member, region, team):
    client.force_login(board_member)
    for url in _pages(region, team, period="FY2100"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<option value="FY2100" selected>' in text(response)


def test_an_older_period_stays_selected_in_the_picker(client, board_member, figures):
    client.force_login(board_member)
    body = text(client.get(NATIONAL, {"period": "2019-Q2"}))
    assert '<option value="2019-Q2" selected>' in body
    assert body.count(" selected>") == 1


@pytest.mark.parametrize(
    "path",
    [
        "/dashboards/regions/north%2Feast/",
        "/dashboards/regions/%C3%B1orth-east/",
        "/dashboards/regions/north-east/teams/%2F/",
        "/dashboards/regions/" + "x" * 3000 + "/",
        "/dashboards/regions/north-east/teams/" + "x" * 3000 + "/",
    ],
)
def test_odd_region_and_team_codes_in_the_path_are_404(client, board_member, region, path):
    client.force_login(board_member)
    assert client.get(path).status_code == 404


def test_the_trend_chart_has_a_text_summary_a_table_and_a_csv(client, service_manager, region, figures):
    client.force_login(service_manager)
    body = text(client.get(region_url(region, period="2025-06")))
    summary = "North East, Jul 2024 to Jun 2025: 12 audits completed, 75% good or better overall."
    assert f'<p class="govuk-body" id="trend-summary">{summary}' in body
    assert body.count('aria-label="Chart of the') == 2 and body.count(summary) == 3  # paragraph + both canvases
    assert 'id="table-trend"' in body and "table=trend" in body
    rows = list(
        csv.DictReader(io.StringIO(text(client.get(region_url(region, period="2025-06", format="csv", table="trend")))))
    )
    assert len(rows) == 12 and rows[-1]["Month"] == "2025-06" and rows[-1]["Audits"] == "12"
