"""The audit's optimistic lock lives in one place (Audit.save and AuditQuerySet): every write
path checks and bumps the version there, and a write that bypasses it is refused."""

import pytest
from django.db import transaction
from django.utils import timezone

from audits.models import Audit, Grade, Judgement, StaleAudit
from audits.services import JudgementInput, audit_cancel, audit_save_section

from .grading_helpers import audit_of, private_case, small_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(practitioner, auditor):
    template, criteria = small_template()
    return audit_of(private_case(practitioner), auditor, template), criteria


def test_a_save_from_a_stale_copy_is_refused_and_writes_nothing(setup, quality_admin):
    audit, _ = setup
    stale = Audit.objects.get(pk=audit.pk)  # a copy loaded at version 1
    fresh = Audit.objects.get(pk=audit.pk)
    fresh.rationale, fresh.last_saved_by, fresh.last_saved_at = "Corrected", quality_admin, timezone.now()
    fresh.save()
    assert fresh.version == 2

    stale.rationale = "Overwritten"
    # A refused save spoils the transaction it is in (Django's save marks it for rollback):
    # whatever else that write did is undone with it.
    with pytest.raises(StaleAudit) as refused, transaction.atomic():
        stale.save()
    assert refused.value.message.startswith("Quinn Admin saved this audit at ")
    assert stale.version == 1  # the copy still says what it was based on
    row = Audit.objects.get(pk=audit.pk)
    assert (row.rationale, row.version) == ("Corrected", 2)
    # update_fields does not slip past the lock either.
    with pytest.raises(StaleAudit), transaction.atomic():
        stale.save(update_fields=["rationale"])
    assert Audit.objects.get(pk=audit.pk).rationale == "Corrected"


def test_a_plain_bulk_update_goes_through_the_lock(setup, auditor):
    """A write that forgets the version (queryset update, bulk_update) still bumps it, so a
    grading page opened before it is refused with the usual message and nothing is half-saved."""
    audit, criteria = setup
    Audit.objects.filter(pk=audit.pk).update(due_on=timezone.localdate())
    assert Audit.objects.get(pk=audit.pk).version == 2
    Audit.objects.bulk_update([Audit(pk=audit.pk, rationale="Bulk")], ["rationale"])
    assert Audit.objects.get(pk=audit.pk).version == 3

    with pytest.raises(StaleAudit):
        audit_save_section(
            audit=audit,
            by=auditor,
            judgements=[JudgementInput(criteria["needs"].pk, grade=Grade.GOOD)],
            expected_version=1,
        )
    assert not Judgement.objects.exists()
    assert Audit.objects.get(pk=audit.pk).version == 3


def test_update_versioned_checks_the_expected_version(setup, auditor):
    audit, _ = setup
    one = Audit.objects.filter(pk=audit.pk)
    assert one.update_versioned(1, by=auditor, rationale="First") == 1
    with pytest.raises(StaleAudit) as refused, transaction.atomic():
        one.update_versioned(1, by=auditor, rationale="Second")
    assert refused.value.heading == "Someone else has saved this audit"
    row = Audit.objects.get(pk=audit.pk)
    assert (row.rationale, row.version) == ("First", 2)


def test_the_unversioned_fields_leave_the_version_alone(setup):
    """The case's place followed while open, the practitioner's response: no grading page is refused for them."""
    audit, _ = setup
    Audit.objects.filter(pk=audit.pk).update(region_id=audit.region_id, team_id=audit.team_id)
    audit.practitioner_response = "Thank you"
    audit.save(update_fields=["practitioner_response"])
    assert Audit.objects.get(pk=audit.pk).version == 1


def test_every_service_write_bumps_once(setup, auditor, quality_admin):
    audit, criteria = setup
    audit_save_section(
        audit=audit, by=auditor, judgements=[JudgementInput(criteria["needs"].pk, grade=Grade.GOOD)], expected_version=1
    )
    assert Audit.objects.get(pk=audit.pk).version == audit.version == 2
    audit_cancel(audit=audit, by=quality_admin)
    row = Audit.objects.get(pk=audit.pk)
    assert (row.version, row.last_saved_by) == (3, quality_admin)
