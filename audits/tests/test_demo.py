"""audits/demo.py: a year of completed audits with the seeds' grade mix, and open ones for the demo auditor.

The demo is seeded once for this module (it takes seconds) inside one transaction that
is rolled back at the end, so no other test sees it.
"""

import datetime
import io
import random
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audits import demo as audits_demo
from audits.models import Audit, Judgement, LearningAction, Moderation
from cases import demo as cases_demo
from cases.models import Case
from organisation import demo as organisation_demo
from organisation.models import User

# The mark makes pytest-django create the test database; each test then runs in a
# savepoint inside the module's seeding transaction.
pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seed organisation, cases and audits once; undo it all after the module's tests."""
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                rng = random.Random(2021)
                out = io.StringIO()
                for module in (organisation_demo, cases_demo, audits_demo):
                    module.seed(stdout=out, rng=rng)
                yield out.getvalue()
                raise _Rollback
        except _Rollback:
            pass


@pytest.fixture
def completed(demo, django_db_blocker):
    with django_db_blocker.unblock():
        return list(Audit.objects.completed().select_related("case", "auditor", "region"))


def pct(part, whole):
    return 100.0 * part / whole


def test_national_grade_mix_is_close_to_the_seeds(completed):
    grades = Counter(a.final_grade for a in completed)
    n = len(completed)
    assert n > 500
    assert abs(pct(grades[3] + grades[4], n) - 63) <= 3
    assert abs(pct(grades[2], n) - 30) <= 3
    assert abs(pct(grades[1], n) - 7) <= 2
    assert abs(pct(grades[4], n) - 8) <= 2


def test_regions_differ(completed):
    by_region = defaultdict(list)
    for a in completed:
        by_region[a.region.code].append(a.final_grade >= 3)
    shares = [pct(sum(v), len(v)) for v in by_region.values()]
    assert len(shares) == 10
    assert max(shares) - min(shares) >= 8


def test_about_half_include_family_feedback(completed):
    assert 45 <= pct(sum(a.family_feedback for a in completed), len(completed)) <= 55


def test_a_year_of_audits_about_eight_per_practitioner(completed):
    today = timezone.localdate()
    assert all(today - datetime.timedelta(days=365) <= a.completed_on < today for a in completed)
    per_practitioner = Counter(a.practitioner_id for a in completed)
    assert 7.5 <= sum(per_practitioner.values()) / len(per_practitioner) <= 8.5
    assert all(a.completed_on >= a.case.received_on for a in completed)


def test_auditors_are_of_the_region_and_never_the_cases_practitioner(completed):
    for a in completed:
        assert a.auditor_id != a.case.practitioner_id
        assert a.auditor.region_id == a.case.region_id
        assert (a.region_id, a.team_id, a.practitioner_id) == (a.case.region_id, a.case.team_id, a.case.practitioner_id)
    assert any(a.auditor.username == "auditor" for a in completed)
    assert any(a.auditor.username.startswith("auditor-") for a in completed)


def test_judgements_agree_with_each_grade(completed, django_db_blocker):
    with django_db_blocker.unblock():
        judgements = defaultdict(list)
        for j in Judgement.objects.filter(audit__status="completed").select_related("criterion"):
            judgements[j.audit_id].append(j)
    for a in completed:
        graded = [j for j in judgements[a.pk] if j.criterion.kind == "graded"]
        assert graded, a.pk
        values = sorted(j.grade for j in graded)
        lower_median = values[(len(values) - 1) // 2]
        capped = any(j.criterion.limiting and j.grade == 1 for j in graded)
        expected = 1 if capped else lower_median
        assert a.suggested_grade == expected == a.overall_grade
        # The final grade is the auditor's, or the moderator's where a moderation completed.
        assert a.final_grade == (a.moderated_grade or a.overall_grade)
        answers = {j.criterion.code: j.answer for j in judgements[a.pk] if j.criterion.kind == "yes_no"}
        assert answers["family-feedback"] == a.family_feedback


def test_cases_keep_their_latest_grade(completed, django_db_blocker):
    latest = {}
    for a in sorted(completed, key=lambda a: (a.completed_on, a.pk)):
        latest[a.case_id] = (a.final_grade, a.completed_on)
    with django_db_blocker.unblock():
        stored = {c.pk: (c.last_audit_grade, c.last_audited_on) for c in Case.objects.filter(pk__in=list(latest))}
    mismatched = [pk for pk, (grade, on) in latest.items() if stored[pk][1] != on]
    assert mismatched == []


def test_demo_auditor_has_open_audits_one_overdue_none_of_his_own_cases(demo, django_db_blocker):
    today = timezone.localdate()
    with django_db_blocker.unblock():
        auditor = User.objects.get(username="auditor")
        open_audits = list(
            Audit.objects.filter(auditor=auditor, status__in=["scheduled", "in_progress"]).select_related("case")
        )
    assert 3 <= len(open_audits) <= 5
    assert sum(a.due_on < today for a in open_audits) == 1
    assert all(a.case.practitioner_id != auditor.pk for a in open_audits)


def test_demo_practitioner_has_audits_of_his_work_and_an_open_action(demo, django_db_blocker):
    with django_db_blocker.unblock():
        practitioner = User.objects.get(username="practitioner")
        own = Audit.objects.completed().filter(practitioner=practitioner, case__practitioner=practitioner)
        assert own.count() >= 2
        assert LearningAction.objects.filter(audit__in=own, status="open").exists()


def test_seeding_again_adds_nothing(demo, django_db_blocker):
    with django_db_blocker.unblock():
        before = (Audit.objects.count(), Judgement.objects.count(), LearningAction.objects.count())
        audits_demo.seed(stdout=io.StringIO(), rng=random.Random(7))
        assert (Audit.objects.count(), Judgement.objects.count(), LearningAction.objects.count()) == before


def test_every_demo_auditor_has_audits_in_progress_with_drafts(demo, django_db_blocker):
    with django_db_blocker.unblock():
        demo_auditors = list(User.objects.filter(username__startswith="auditor"))
        in_progress = Counter(
            Audit.objects.filter(status="in_progress", auditor__in=demo_auditors).values_list("auditor_id", flat=True)
        )
        drafted = set(Judgement.objects.filter(audit__status="in_progress").values_list("audit__auditor_id", flat=True))
        own_case = Audit.objects.filter(
            status__in=["scheduled", "in_progress"], case__practitioner_id=F("auditor_id")
        ).exists()
    assert len(demo_auditors) > 10
    assert all(in_progress[a.pk] >= 2 for a in demo_auditors), {a.username: in_progress[a.pk] for a in demo_auditors}
    assert {a.pk for a in demo_auditors} <= drafted
    assert not own_case


def test_a_sample_is_moderated_and_most_moderators_agree(completed):
    moderated = [a for a in completed if a.moderated_grade is not None]
    assert 0.03 * len(completed) <= len(moderated) <= 0.06 * len(completed)
    agree = sum(a.moderated_grade == a.overall_grade for a in moderated)
    assert agree >= 0.6 * len(moderated)
    assert Moderation.objects.filter(completed_at__isnull=True).exists()  # some wait for their moderator
