"""The roll-ups: counts per (region, team, month) from the source rows, re-runnable, slice by slice."""

import datetime

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from audits.models import Audit, Grade, Moderation
from audits.tests.factories import (
    AuditFactory,
    AuditTemplateFactory,
    CompletedAuditFactory,
    CriterionFactory,
    JudgementFactory,
)
from cases.models import ApplicationType, LawType
from cases.tests.factories import CaseFactory
from dashboards.models import CriterionSnapshot, KpiSnapshot, ModerationSnapshot
from dashboards.rollup import rollup_all, rollup_slice
from organisation.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2025, 6, 1)
JULY = datetime.date(2025, 7, 1)


def audit(team, grade, day, **kwargs):
    return CompletedAuditFactory(case__team=team, overall_grade=grade, completed_on=day, **kwargs)


def rows(model):
    """Every snapshot row as a dict without computed_at and id."""
    return sorted(
        (tuple(sorted((k, v) for k, v in model_to_dict(r).items() if k not in {"id", "computed_at"})))
        for r in model.objects.all()
    )


def test_audits_are_counted_by_final_grade_in_the_month_completed(team, other_team):
    grades = [Grade.OUTSTANDING, Grade.GOOD, Grade.GOOD, Grade.MEETS_STANDARD, Grade.REQUIRES_IMPROVEMENT]
    for i, g in enumerate(grades):
        audit(team, g, datetime.date(2025, 6, 1 + i), family_feedback=i % 2 == 0)
    audit(team, Grade.GOOD, datetime.date(2025, 7, 1))
    audit(other_team, Grade.OUTSTANDING, datetime.date(2025, 6, 30))
    AuditFactory(case__team=team, status="in_progress")

    rollup_all()

    june = KpiSnapshot.objects.get(team=team, month=JUNE)
    assert (june.audits, june.outstanding, june.good, june.meets_standard, june.requires_improvement) == (
        5,
        1,
        2,
        1,
        1,
    )
    assert june.family_feedback == 3
    assert KpiSnapshot.objects.get(team=team, month=JULY).audits == 1
    assert KpiSnapshot.objects.get(team=other_team, month=JUNE).outstanding == 1
    assert KpiSnapshot.objects.filter(audits__gt=0).count() == 3  # (the factory's cases add April rows)


def test_final_grade_counts_not_the_auditors_grade(team):
    CompletedAuditFactory(case__team=team, overall_grade=Grade.GOOD, final_grade=Grade.MEETS_STANDARD)
    rollup_all()
    row = KpiSnapshot.objects.get(month=JUNE)
    assert (row.good, row.meets_standard) == (0, 1)


def test_moderation_agreement_and_grade_table(team):
    moderator = UserFactory(team=team, roles=["auditor"])
    pairs = [(3, 3), (3, 2), (4, 4), (1, 2)]
    for auditor_grade, moderator_grade in pairs:
        a = audit(team, auditor_grade, datetime.date(2025, 6, 10))
        Moderation.objects.create(audit=a, moderator=moderator, grade=moderator_grade, completed_at=timezone.now())
        Audit.objects.filter(pk=a.pk).update(moderated_grade=moderator_grade)  # as moderation_record does
    unfinished = audit(team, Grade.GOOD, datetime.date(2025, 6, 11))
    Moderation.objects.create(audit=unfinished, moderator=moderator, grade=None)

    rollup_all()

    row = KpiSnapshot.objects.get(month=JUNE)
    assert (row.audits, row.moderated, row.moderated_agree) == (5, 4, 2)
    cells = {(m.auditor_grade, m.moderator_grade): m.count for m in ModerationSnapshot.objects.all()}
    assert cells == {(3, 3): 1, (3, 2): 1, (4, 4): 1, (1, 2): 1}


def test_criteria_below_good_follow_the_stable_code_across_template_versions(team):
    v1 = AuditTemplateFactory(slug="rollup-test", version=1, is_current=False)
    v2 = AuditTemplateFactory(slug="rollup-test", version=2)
    c1 = CriterionFactory(template=v1, code="analysis", text="Old wording")
    c2 = CriterionFactory(template=v2, code="analysis", text="New wording")
    for template, criterion, grade in [(v1, c1, 2), (v2, c2, 1), (v2, c2, 3)]:
        a = audit(team, Grade.GOOD, datetime.date(2025, 6, 3), template=template)
        JudgementFactory(audit=a, criterion=criterion, grade=grade)

    rollup_all()

    snap = CriterionSnapshot.objects.get()
    assert (snap.criterion_code, snap.graded, snap.below_good, snap.requires_improvement) == ("analysis", 3, 2, 1)


def test_rerunning_rollup_all_changes_no_row(team, other_team):
    for i, g in enumerate([4, 3, 2, 1, 3]):
        a = audit(team if i % 2 else other_team, g, datetime.date(2025, 5 + i % 3, 2 + i))
        JudgementFactory(audit=a, grade=g)
    CaseFactory(team=team, application_type=ApplicationType.S31_CARE, law_type=LawType.PUBLIC)
    rollup_all()
    before = (rows(KpiSnapshot), rows(CriterionSnapshot), rows(ModerationSnapshot))
    ids = set(KpiSnapshot.objects.values_list("id", flat=True))

    rollup_all()

    assert (rows(KpiSnapshot), rows(CriterionSnapshot), rows(ModerationSnapshot)) == before
    assert set(KpiSnapshot.objects.values_list("id", flat=True)) == ids


def test_slice_rollup_after_one_more_audit_changes_only_that_slice(team, other_team):
    second_team = TeamFactory(region=team.region)
    audit(team, Grade.GOOD, datetime.date(2025, 6, 5))
    audit(second_team, Grade.GOOD, datetime.date(2025, 6, 5))
    audit(team, Grade.GOOD, datetime.date(2025, 7, 5))
    audit(other_team, Grade.GOOD, datetime.date(2025, 6, 5))
    rollup_all()
    before = {
        (r.team_id, r.month): (r.audits, r.requires_improvement, r.computed_at) for r in KpiSnapshot.objects.all()
    }

    audit(team, Grade.REQUIRES_IMPROVEMENT, datetime.date(2025, 6, 20))
    written = rollup_slice(region_id=team.region_id, month=datetime.date(2025, 6, 20))

    after = {(r.team_id, r.month): (r.audits, r.requires_improvement, r.computed_at) for r in KpiSnapshot.objects.all()}
    assert written == 2  # both teams of the region in June
    assert after[(team.pk, JUNE)][:2] == (2, 1)
    assert after[(second_team.pk, JUNE)][:2] == (1, 0)
    for key in [(team.pk, JULY), (other_team.pk, JUNE)]:
        assert after[key] == before[key]  # untouched, computed_at included


def test_slice_rollup_twice_gives_the_same_rows_and_removes_emptied_rows(team):
    a = audit(team, Grade.GOOD, datetime.date(2025, 6, 5))
    rollup_slice(region_id=team.region_id, month=JUNE)
    first = rows(KpiSnapshot)
    rollup_slice(region_id=team.region_id, month=JUNE)
    assert rows(KpiSnapshot) == first

    a.status = "cancelled"
    a.save()
    rollup_slice(region_id=team.region_id, month=JUNE)
    assert not KpiSnapshot.objects.filter(month=JUNE).exists()


def test_audit_reallocated_after_completion_stays_where_it_was_completed(team, other_team):
    done = audit(team, Grade.OUTSTANDING, datetime.date(2025, 6, 5))
    case = done.case
    case.region, case.team = other_team.region, other_team
    case.save()

    rollup_all()

    row = KpiSnapshot.objects.get(audits__gt=0)
    assert (row.region_id, row.team_id, row.outstanding) == (team.region_id, team.pk, 1)


def test_case_kpis_count_care_private_and_section_7(team):
    # Care received Fri 2025-08-22, allocated Tue 2025-08-26: Mon 25 Aug is a bank holiday, so
    # the working days after receipt up to allocation are Tue 26 only = 1.
    CaseFactory(
        team=team,
        law_type=LawType.PUBLIC,
        application_type=ApplicationType.S31_CARE,
        received_on=datetime.date(2025, 8, 22),
        allocated_on=datetime.date(2025, 8, 26),
    )
    # Received Mon 4 Aug, allocated Mon 11 Aug: Tue..Fri + Mon = 5 working days.
    CaseFactory(
        team=team,
        law_type=LawType.PUBLIC,
        application_type=ApplicationType.S31_CARE,
        received_on=datetime.date(2025, 8, 4),
        allocated_on=datetime.date(2025, 8, 11),
    )
    CaseFactory(
        team=team,
        law_type=LawType.PUBLIC,
        application_type=ApplicationType.S31_CARE,
        received_on=datetime.date(2025, 8, 5),
        allocated_on=None,
    )
    CaseFactory(team=team, received_on=datetime.date(2025, 8, 6), allocated_on=None)  # private, unallocated
    CaseFactory(team=team, received_on=datetime.date(2025, 8, 7))  # private, allocated
    due = datetime.date(2025, 9, 10)
    for filed in [due, due + datetime.timedelta(days=1), None]:
        CaseFactory(
            team=team,
            application_type=ApplicationType.SECTION_7,
            received_on=datetime.date(2025, 7, 1),
            report_due_on=due,
            report_filed_on=filed,
        )

    rollup_all()

    aug = KpiSnapshot.objects.get(month=datetime.date(2025, 8, 1))
    assert (aug.care_received, aug.care_allocated, aug.care_working_days_sum) == (3, 2, 6)
    assert (aug.private_received, aug.private_allocated) == (2, 1)
    sep = KpiSnapshot.objects.get(month=datetime.date(2025, 9, 1))
    assert (sep.s7_due, sep.s7_on_time) == (3, 1)
    jul = KpiSnapshot.objects.get(month=datetime.date(2025, 7, 1))
    assert (jul.private_received, jul.audits) == (3, 0)  # the section 7 cases are private law received in July
