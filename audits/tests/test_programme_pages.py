"""Programme pages: define, preview, confirm; progress and results (computed by hand); re-audit; CSV; access."""

import csv
import datetime
import io
import math

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, AuditStatus, Grade, Programme
from audits.services.programmes import programme_create
from audits.stats import fleiss_kappa, two_proportion_test, wilson
from audits.tests.factories import AuditFactory, CompletedAuditFactory, JudgementFactory
from cases.tests.factories import CaseFactory

from .grading_helpers import small_template

pytestmark = pytest.mark.django_db


def _define(template, name="DA 2026", **extra):
    today = timezone.localdate()
    fields = {
        "name": name,
        "theme": "Domestic abuse",
        "template": template,
        "size": 10,
        "window_start": today - datetime.timedelta(days=365),
        "window_end": today,
        "due_on": today + datetime.timedelta(days=30),
        "seed": 1,
        **extra,
    }
    return programme_create(by=None, **fields)


def _form(template, **extra):
    due = timezone.localdate() + datetime.timedelta(days=30)
    data = {
        "name": "Domestic abuse thematic",
        "theme": "Domestic abuse",
        "template": template.pk,
        "window_start_0": "1",
        "window_start_1": "1",
        "window_start_2": "2025",
        "window_end_0": "31",
        "window_end_1": "12",
        "window_end_2": "2026",
        "size": "2",
        "share": "",
        "domestic_abuse": "yes",
        "due_on_0": str(due.day),
        "due_on_1": str(due.month),
        "due_on_2": str(due.year),
        "seed": "42",
    }
    data.update(extra)
    return data


# ---- define, preview, confirm ---------------------------------------------------------------------


def test_admin_defines_previews_and_confirms(client, quality_admin, team, practitioner, auditor):
    template, _ = small_template()
    for i in range(3):
        CaseFactory(reference=f"DA-{i}", team=team, practitioner=practitioner, domestic_abuse_alleged=True)
    CaseFactory(reference="NO-DA", team=team, practitioner=practitioner)
    client.force_login(quality_admin)
    response = client.post(reverse("programmes:new"), _form(template))
    programme = Programme.objects.get()
    assert response.status_code == 302 and response.url == reverse("programmes:preview", args=[programme.pk])
    assert programme.filters == {"domestic_abuse": "yes"} and programme.confirmed_at is None

    preview = client.get(response.url)
    page = preview.content.decode()
    assert "2 case files drawn from 3 eligible" in page
    assert "NO-DA" not in page
    assert not Audit.objects.exists()

    confirm = client.post(response.url, {"fingerprint": preview.context["draw"].fingerprint})
    assert confirm.status_code == 302
    audits = Audit.objects.filter(programme=programme)
    assert audits.count() == 2
    assert {a.auditor for a in audits} == {auditor}
    assert all(a.case.reference.startswith("DA-") for a in audits)


def test_bad_definition_is_explained_and_nothing_saved(client, quality_admin):
    template, _ = small_template()
    client.force_login(quality_admin)
    data = _form(template, size="", share="", window_end_0="1", window_end_1="1", window_end_2="2024")
    response = client.post(reverse("programmes:new"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Enter a number of case files or a percentage" in page
    assert "The window must end on or after the day it starts" in page
    assert not Programme.objects.exists()


def test_a_stale_preview_is_not_confirmed(client, quality_admin, team, practitioner, auditor):
    template, _ = small_template()
    CaseFactory(reference="A-1", team=team, practitioner=practitioner)
    programme = _define(template)
    client.force_login(quality_admin)
    response = client.post(reverse("programmes:preview", args=[programme.pk]), {"fingerprint": "stale"})
    assert response.status_code == 409
    assert "changed after the preview" in response.content.decode()
    assert not Audit.objects.exists()


def test_preview_runs_a_fixed_number_of_queries(
    client, quality_admin, team, practitioner, auditor, django_assert_max_num_queries
):
    template, _ = small_template()
    programme = _define(template, size=50)
    client.force_login(quality_admin)
    url = reverse("programmes:preview", args=[programme.pk])
    CaseFactory(reference="C-first", team=team, practitioner=practitioner)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for i in range(30):
        CaseFactory(reference=f"C-{i}", team=team, practitioner=practitioner)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.parametrize("who", ["practitioner", "auditor", "service_manager", "board_member"])
def test_only_quality_admins_define_and_preview(client, request, who):
    template, _ = small_template()
    programme = _define(template)
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("programmes:new")).status_code == 403
    assert client.get(reverse("programmes:preview", args=[programme.pk])).status_code == 403
    assert client.post(reverse("programmes:preview", args=[programme.pk])).status_code == 403


@pytest.mark.parametrize("who", ["practitioner", "auditor"])
def test_case_workers_do_not_see_programme_results(client, request, who):
    template, _ = small_template()
    programme = _define(template)
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("programmes:detail", args=[programme.pk])).status_code == 403
    assert client.get(reverse("programmes:csv", args=[programme.pk])).status_code == 403


def test_unknown_programme_is_404(client, quality_admin):
    client.force_login(quality_admin)
    assert client.get(reverse("programmes:detail", args=[999999])).status_code == 404


# ---- progress and results ---------------------------------------------------------------------------


def _graded(programme, template, criteria, team, auditor, *, needs, wishes, seen, final, status=AuditStatus.COMPLETED):
    case = CaseFactory(team=team)
    if status == AuditStatus.COMPLETED:
        audit = CompletedAuditFactory(
            case=case, auditor=auditor, template=template, programme=programme, overall_grade=final
        )
    else:
        audit = AuditFactory(case=case, auditor=auditor, template=template, programme=programme, status=status)
    JudgementFactory(audit=audit, criterion=criteria["needs"], grade=needs)
    JudgementFactory(audit=audit, criterion=criteria["wishes"], grade=wishes)
    JudgementFactory(audit=audit, criterion=criteria["seen"], grade=None, answer=seen)
    return audit


@pytest.fixture
def results_programme(team, auditor, other_team):
    """Five completed audits (grades 1, 1, 3, 4, 2), one in progress, one scheduled (other region)."""
    template, criteria = small_template()
    programme = _define(template)
    rows = [
        # needs (limiting), wishes, seen, final
        (
            Grade.REQUIRES_IMPROVEMENT,
            Grade.OUTSTANDING,
            True,
            Grade.REQUIRES_IMPROVEMENT,
        ),  # lower median of 1, 4 is 1: not capped
        (Grade.REQUIRES_IMPROVEMENT, Grade.REQUIRES_IMPROVEMENT, False, Grade.REQUIRES_IMPROVEMENT),
        (Grade.GOOD, Grade.GOOD, True, Grade.GOOD),
        (Grade.OUTSTANDING, Grade.OUTSTANDING, True, Grade.OUTSTANDING),
        (Grade.MEETS_STANDARD, Grade.GOOD, False, Grade.MEETS_STANDARD),
    ]
    for needs, wishes, seen, final in rows:
        _graded(programme, template, criteria, team, auditor, needs=needs, wishes=wishes, seen=seen, final=final)
    _graded(
        programme,
        template,
        criteria,
        team,
        auditor,
        needs=1,
        wishes=1,
        seen=True,
        final=None,
        status=AuditStatus.IN_PROGRESS,
    )
    AuditFactory(case=CaseFactory(team=other_team), template=template, programme=programme)
    return programme, criteria


def test_programme_page_progress_and_results_by_hand(
    client, quality_admin, results_programme, django_assert_max_num_queries
):
    programme, _ = results_programme
    client.force_login(quality_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("programmes:detail", args=[programme.pk]))
    ctx = response.context
    assert (ctx["total"].done, ctx["total"].in_progress, ctx["total"].scheduled) == (5, 1, 1)
    assert [(r.label, r.done, r.in_progress, r.scheduled) for r in ctx["by_region"]] == [
        ("North East", 5, 1, 0),
        ("South West", 0, 0, 1),
    ]
    results = ctx["results"]
    # Completed grades 1, 1, 3, 4, 2: good or better 2 of 5.
    assert (results.good_or_better.k, results.good_or_better.n) == (2, 5)
    low, high = results.good_or_better.ci
    z = 1.96
    centre = (0.4 + z * z / 10) / (1 + z * z / 5)
    half = z / (1 + z * z / 5) * math.sqrt(0.4 * 0.6 / 5 + z * z / 100)
    assert (low, high) == (pytest.approx((centre - half) * 100), pytest.approx((centre + half) * 100))
    assert [(p.label, p.k) for p in results.grades] == [
        ("Outstanding", 1),
        ("Good", 1),
        ("Meets standard", 1),
        ("Requires improvement", 2),
    ]
    profile = {p.key: (p.k, p.n) for p in results.criteria}
    # needs: 1, 1, 3, 4, 2 -> 2 of 5 good or better; wishes: 4, 1, 3, 4, 3 -> 4 of 5; seen yes 3 of 5.
    assert profile == {"criterion:needs": (2, 5), "criterion:wishes": (4, 5), "criterion:seen": (3, 5)}
    # Capped: audit 1 (needs 1, wishes 4: lower median of [1, 4] is 1 -> not capped) and audit 2 (all 1) -> none.
    assert results.capped == []
    page = response.content.decode()
    assert "2 of 5" in page and "Requires improvement" in page


def test_capping_counts_audits_whose_other_grades_were_higher(team, auditor):
    template, criteria = small_template()
    programme = _define(template)
    # needs 1 (limiting), wishes 4, analysis 4: lower median of [1, 4, 4] is 4 -> capped by needs.
    audit = _graded(programme, template, criteria, team, auditor, needs=1, wishes=4, seen=True, final=1)
    JudgementFactory(audit=audit, criterion=criteria["analysis"], grade=4)
    from audits.programme_figures import programme_results

    assert programme_results(programme).capped == [("The child's unique needs are analysed", 1)]


def test_reaudit_shows_each_figure_beside_the_earlier_with_a_two_proportion_test(client, quality_admin, team, auditor):
    template, criteria = small_template()
    first = _define(template, name="DA 2025")
    first.confirmed_at = timezone.now()
    first.save()
    again = _define(template, name="DA 2026", reaudit_of=first)
    # Earlier: 1 good or better of 10. Now: 8 of 10.
    for i in range(10):
        grade = Grade.GOOD if i < 1 else Grade.MEETS_STANDARD
        _graded(first, template, criteria, team, auditor, needs=grade, wishes=grade, seen=True, final=grade)
    for i in range(10):
        grade = Grade.GOOD if i < 8 else Grade.MEETS_STANDARD
        _graded(again, template, criteria, team, auditor, needs=grade, wishes=grade, seen=True, final=grade)
    client.force_login(quality_admin)
    response = client.get(reverse("programmes:detail", args=[again.pk]))
    gob = next(c for c in response.context["comparison"] if c.now.key == "good_or_better")
    assert (gob.earlier.k, gob.earlier.n, gob.now.k, gob.now.n) == (1, 10, 8, 10)
    assert gob.change == pytest.approx(70.0)
    # By hand: pooled p = 9/20 = 0.45; se = sqrt(0.45 * 0.55 * (1/10 + 1/10)); z = 0.7 / se.
    se = math.sqrt(0.45 * 0.55 * 0.2)
    z = 0.7 / se
    assert gob.p_value == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert gob.beyond_chance  # z ≈ 3.15, p ≈ 0.0016
    seen = next(c for c in response.context["comparison"] if c.now.key == "criterion:seen")
    assert seen.p_value is None  # 10 of 10 both times: no test possible
    assert "beyond chance" in response.content.decode()


def test_csv_download_neutralises_formula_cells(client, quality_admin, team, auditor):
    template, criteria = small_template()
    criteria["wishes"].text = '=HYPERLINK("http://evil")'
    criteria["wishes"].save()
    programme = _define(template)
    _graded(programme, template, criteria, team, auditor, needs=3, wishes=4, seen=True, final=3)
    client.force_login(quality_admin)
    response = client.get(reverse("programmes:csv", args=[programme.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["figure", "numerator", "denominator", "percent"]
    assert rows[1][:4] == ["Good or better", "1", "1", "100.0"]
    labels = [r[0] for r in rows]
    assert any(label.startswith("'=HYPERLINK") for label in labels)
    assert not any(label.startswith("=") for label in labels)


# ---- the statistics against published figures ------------------------------------------------------------


def test_wilson_matches_the_textbook_example():
    # Newcombe (1998), example: 81 of 263 -> Wilson 95% interval 0.2553 to 0.3662.
    low, high = wilson(81, 263)
    assert (round(low / 100, 4), round(high / 100, 4)) == (0.2553, 0.3662)


def test_two_proportion_test_undefined_without_variation():
    assert two_proportion_test(5, 5, 7, 7) is None
    assert two_proportion_test(0, 0, 1, 2) is None


def test_fleiss_kappa_published_worked_example():
    # Fleiss (1971) as worked in Wikipedia's "Fleiss' kappa" article: 10 subjects, 14 raters,
    # 5 categories; P-bar = 0.378, P-e = 0.213, kappa = 0.210.
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert round(fleiss_kappa(table), 3) == 0.210


def test_fleiss_kappa_undefined_cases():
    assert fleiss_kappa([]) is None
    assert fleiss_kappa([[3, 0], [2, 0]]) is None  # unequal raters
    assert fleiss_kappa([[3, 0], [3, 0]]) is None  # all in one category


def test_list_and_csv_run_a_fixed_number_of_queries(
    client, quality_admin, results_programme, django_assert_max_num_queries
):
    programme, _ = results_programme
    client.force_login(quality_admin)
    # session, user, groups; programmes with their audit counts
    with django_assert_max_num_queries(5):
        assert client.get(reverse("programmes:list")).status_code == 200
    # session, user, groups, programme (+ regions); grade mix, criterion profile, capping
    with django_assert_max_num_queries(8):
        assert client.get(reverse("programmes:csv", args=[programme.pk])).status_code == 200


def test_audit_page_names_its_programme(client, team, practitioner, auditor):
    template, _ = small_template()
    programme = _define(template)
    audit = AuditFactory(
        case=CaseFactory(team=team, practitioner=practitioner), auditor=auditor, template=template, programme=programme
    )
    client.force_login(auditor)
    assert "DA 2026 (a thematic programme)" in client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
