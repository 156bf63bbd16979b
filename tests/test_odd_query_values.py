"""Walk the list pages (and the admin's change lists) with odd query values: never a 500 (issue 10.7).

Not property-based, but thorough: every query parameter each list reads (plus the admin's
date hierarchy and list filters), each given values that have broken such pages before:
far years, negative numbers, impossible dates, text where numbers go, NUL, very long text.
"""

import datetime
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.test import Client

from audits.tests.factories import CompletedAuditFactory
from cases.tests.factories import CaseFactory
from feedback.tests.factories import FeedbackFactory
from improvement_plans.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db

ODD = ["", "-5", "99999", "9999", "abc", "2025-13", "2025-02-30", "FY9999", "é𝔘", "x" * 300, "\x00"]
# Tried one parameter at a time (every value is also tried with all of a page's parameters at once).
WORST = ["-5", "99999", "abc"]

# Each list page and the query parameters it reads.
PAGES = {
    "/cases/": [
        "q",
        "region",
        "team",
        "practitioner",
        "law_type",
        "application_type",
        "status",
        "sort",
        "page",
        "received_from",
        "received_to",
        "due_from",
        "due_to",
        "allocated",
        "filed_on_time",
        "da_alleged",
        "da_substantiated",
    ],
    "/cases/export.csv": ["region", "sort", "status", "received_from", "allocated", "filed_on_time"],
    "/audits/": ["section", "page", "region", "team", "status", "overdue", "criterion", "criterion_answer"],
    "/feedback/": ["kind", "page"],
    "/plans/": ["page", "region", "status"],
    "/dashboards/": ["period", "format", "table"],
    "/dashboards/regions/north-east/": ["period", "format", "table"],
    "/dashboards/regions/north-east/teams/ne-durham/": ["period", "format", "table"],
    "/api/v1/kpis/": ["from", "to", "region"],
    "/audits/new/": ["case"],
    "/feedback/new/": ["case_reference", "kind"],
}


@pytest.fixture
def data(team, practitioner, auditor):
    case = CaseFactory(reference="ODD-1", team=team, practitioner=practitioner)
    CompletedAuditFactory(case=case, auditor=auditor, completed_on=datetime.date(2025, 6, 3))
    FeedbackFactory(case=case)
    PlanFactory(region=None)


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _get(client, url: str, query: dict, failures: list) -> None:
    response = client.get(f"{url}?{urlencode(query)}", follow=True)
    if response.status_code >= 500:
        failures.append((url, {k: v[:20] for k, v in query.items()}, response.status_code))


def _walk(client, url: str, params: list[str], *, one_by_one: bool, extra: dict | None = None) -> list[tuple]:
    failures = []
    for value in ODD:
        _get(client, url, {**(extra or {}), **dict.fromkeys(params, value)}, failures)
    if one_by_one:
        for name in params:
            for value in WORST:
                _get(client, url, {**(extra or {}), name: value}, failures)
    return failures


@pytest.mark.parametrize("role", ["quality_admin", "service_manager", "practitioner"])
def test_list_pages_never_answer_500(request, data, role):
    client = _client(request.getfixturevalue(role))
    thorough = role == "quality_admin"
    failures = []
    for url, params in PAGES.items():
        failures += _walk(client, url, params, one_by_one=thorough)
    failures += _walk(
        client, "/audits/", ["page", "status", "overdue", "team"], one_by_one=False, extra={"section": "region"}
    )
    failures += _walk(client, "/dashboards/regions/north-east/", ["table"], one_by_one=False, extra={"format": "csv"})
    assert failures == []


def test_every_admin_change_list_survives_odd_filters(admin_user, data):
    client = _client(admin_user)
    failures = []
    for model, model_admin in admin.site._registry.items():
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        params = ["q", "o", "p"]
        for entry in model_admin.list_filter:
            if isinstance(entry, str):
                params += [f"{entry}__exact", f"{entry}__id__exact"]
        failures += _walk(client, url, params, one_by_one=False)
        if model_admin.date_hierarchy:
            field = model_admin.date_hierarchy
            for part in ("year", "month", "day"):
                for value in WORST + ["9999", "0"]:
                    _get(client, url, {f"{field}__{part}": value}, failures)
            for combo in (("9999", "12", "31"), ("9999", "12", None), ("1", "1", "1"), ("2025", "2", "30")):
                query = {f"{field}__{part}": v for part, v in zip(("year", "month", "day"), combo, strict=True) if v}
                _get(client, url, query, failures)
    assert failures == []


@pytest.mark.parametrize("year", ["99999", "-5", "9999", "0", "abc"])
def test_a_far_year_in_the_admin_gets_a_plain_message(admin_client, data, year):
    response = admin_client.get(f"/admin/cases/case/?received_on__year={year}", follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The filter in the address could not be used" in html
    assert "database installation" not in html
    assert response.redirect_chain[-1][0] == "/admin/cases/case/"
