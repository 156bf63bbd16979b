"""`manage.py sample_moderation`: the sample topped up to a share of completed audits, never self-moderated."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from audits.models import Audit, Moderation
from audits.tasks import sample_moderation_task
from audits.tests.factories import CompletedAuditFactory
from cases.tests.factories import CaseFactory
from organisation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dual(team):
    """A practitioner who also audits: may moderate others' audits, never those of their own cases."""
    return UserFactory(username="dual", team=team, roles=["practitioner", "auditor"])


@pytest.fixture
def moderators(team):
    return [UserFactory(username=f"mod{i}", team=team, roles=["auditor"]) for i in range(2)]


@pytest.fixture
def completed(dual, auditor, moderators):
    """20 completed audits of the dual-role practitioner's cases, graded by the auditor."""
    recent = timezone.localdate() - datetime.timedelta(days=10)
    return [
        CompletedAuditFactory(case=CaseFactory(team=dual.team, practitioner=dual), auditor=auditor, completed_on=recent)
        for _ in range(20)
    ]


def call(*args):
    out = StringIO()
    call_command("sample_moderation", *args, stdout=out)
    return out.getvalue()


def test_draws_the_share_of_completed_audits(completed):
    out = call("--share", "0.25", "--seed", "1")
    expected = round(0.25 * len(completed))
    assert Moderation.objects.count() == expected
    assert f"Drew {expected} audits for moderation" in out
    assert f"target {expected} of {len(completed)} audits completed since" in out


def test_the_moderator_is_never_the_auditor_or_the_practitioner(completed, auditor, dual, moderators):
    call("--share", "1", "--seed", "5")
    assert Moderation.objects.count() == len(completed)
    for moderation in Moderation.objects.select_related("audit__case"):
        audit = moderation.audit
        assert moderation.moderator_id not in (audit.auditor_id, audit.practitioner_id, audit.case.practitioner_id)
    assert set(Moderation.objects.values_list("moderator_id", flat=True)) <= {m.pk for m in moderators}


def test_a_second_run_draws_nothing_more(completed):
    call("--share", "0.25", "--seed", "1")
    again = call("--share", "0.25", "--seed", "2")
    assert "Drew 0 audits" in again
    assert Moderation.objects.count() == round(0.25 * len(completed))


def test_tops_up_a_sample_already_begun(completed, moderators):
    for audit in completed[:2]:
        Moderation.objects.create(audit=audit, moderator=moderators[0])
    out = call("--share", "0.25")
    expected_new = round(0.25 * len(completed)) - 2
    assert f"Drew {expected_new} audits" in out
    assert Moderation.objects.count() == round(0.25 * len(completed))


def test_the_same_seed_draws_the_same_audits(completed):
    def drawn():
        return sorted(Moderation.objects.values_list("audit_id", "moderator_id"))

    call("--share", "0.3", "--seed", "11")
    first = drawn()
    Moderation.objects.all().delete()
    call("--share", "0.3", "--seed", "11")
    assert drawn() == first


def test_dry_run_prints_the_draw_and_saves_nothing(completed):
    out = call("--share", "0.25", "--dry-run")
    assert f"Would draw {round(0.25 * len(completed))} audits" in out
    assert Moderation.objects.count() == 0


def test_reports_audits_left_without_an_eligible_moderator(completed, other_team):
    lone = UserFactory(team=other_team, roles=["auditor"])  # the only auditor of the other region
    for _ in range(3):
        CompletedAuditFactory(case=CaseFactory(team=other_team), auditor=lone, completed_on=timezone.localdate())
    out = call("--share", "1")
    assert "Left without an eligible moderator: 3 completed audits." in out
    assert "The sample is 3 short of its target" in out
    assert Moderation.objects.count() == len(completed)
    assert not Moderation.objects.filter(audit__region=other_team.region).exists()


def test_refuses_a_share_outside_zero_to_one(completed):
    with pytest.raises(CommandError, match="between 0 and 1") as error:
        call("--share", "1.5")
    assert error.value.returncode == 1
    assert Moderation.objects.count() == 0


def test_help_names_its_options():
    from audits.management.commands.sample_moderation import Command

    text = Command().create_parser("manage.py", "sample_moderation").format_help()
    for option in ("--share", "--seed", "--dry-run"):
        assert option in text


@override_settings(AUDIT_MODERATION_SHARE=0.1)
def test_the_task_draws_the_share_from_settings(completed):
    assert sample_moderation_task() == round(0.1 * len(completed))
    assert sample_moderation_task() == 0
    assert Audit.objects.filter(moderation__isnull=False).count() == round(0.1 * len(completed))


def test_only_recent_audits_are_drawn_unless_asked_for_all(completed, auditor, dual):
    long_ago = timezone.localdate() - datetime.timedelta(days=400)
    old = [
        CompletedAuditFactory(
            case=CaseFactory(team=dual.team, practitioner=dual), auditor=auditor, completed_on=long_ago
        )
        for _ in range(4)
    ]
    call("--share", "1", "--seed", "2")
    assert not Moderation.objects.filter(audit__in=old).exists()  # a closed month's grades never move
    assert Moderation.objects.count() == len(completed)
    out = call("--share", "1", "--seed", "2", "--days", "0")
    assert Moderation.objects.filter(audit__in=old).count() == len(old)
    assert "audits completed ever" in out
