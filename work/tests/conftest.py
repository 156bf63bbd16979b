"""A hand-built world for the work lists: each role has work here, and other regions have work too."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from audits.models import LearningAction, Moderation
from audits.tests.factories import AuditFactory, CompletedAuditFactory
from cases.tests.factories import CaseFactory, ChildFactory
from feedback.models import FeedbackRequest
from feedback.tests.factories import FeedbackFactory
from improvement_plans.tests.factories import ActionFactory
from organisation.tests.factories import UserFactory

TODAY = timezone.localdate()


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@dataclass
class World:
    people: dict
    things: dict


@pytest.fixture
def world(team, other_team, practitioner, auditor, service_manager, other_manager, assistant_director, board_member):
    other_practitioner = UserFactory(
        username="fca-sw", full_name="Sol Southwest", team=other_team, roles=["practitioner"]
    )
    other_auditor = UserFactory(username="aud-sw", full_name="Ari Southwest", team=other_team, roles=["auditor"])
    second_auditor = UserFactory(username="aud2", full_name="Bo Second", team=team, roles=["auditor"])

    mine = CaseFactory(reference="NE-0001", team=team, practitioner=practitioner)
    ChildFactory(case=mine, label="Child Zebedee")  # a child's label must never reach a mail
    mine2 = CaseFactory(reference="NE-0002", team=team, practitioner=practitioner)
    theirs = CaseFactory(reference="SW-0001", team=other_team, practitioner=other_practitioner)

    t = {}
    # The auditor's: three audits to grade (overdue, due soon, later), and a moderation.
    t["grade_overdue"] = AuditFactory(case=mine, auditor=auditor, due_on=day(-2))
    t["grade_soon"] = AuditFactory(case=mine2, auditor=auditor, due_on=day(3), status="in_progress")
    t["grade_later"] = AuditFactory(case=mine2, auditor=auditor, due_on=day(30))
    AuditFactory(case=mine, auditor=auditor, due_on=day(-9), status="cancelled")  # not work
    done = CompletedAuditFactory(case=mine2, auditor=second_auditor, completed_on=day(-5))
    t["moderation"] = Moderation.objects.create(
        audit=done, moderator=auditor, sampled_at=timezone.now() - datetime.timedelta(days=25)
    )  # due in 3 days
    # Someone else's overdue audit in the region: for the manager, not for this auditor.
    t["region_overdue"] = AuditFactory(case=mine, auditor=second_auditor, due_on=day(-20))
    # Another region's overdue audit: for the assistant director only.
    t["other_overdue"] = AuditFactory(case=theirs, auditor=other_auditor, due_on=day(-15))

    # The practitioner's: actions (overdue, returned, done), a reflection to write, a link to hand over.
    graded = CompletedAuditFactory(case=mine, auditor=auditor, completed_on=day(-10))
    t["reflect"] = graded
    t["action_overdue"] = LearningAction.objects.create(audit=graded, description="Secret text A", due_on=day(-1))
    t["action_returned"] = LearningAction.objects.create(
        audit=graded, description="Secret text B", due_on=day(12), returned_at=timezone.now(), return_reason="More"
    )
    t["action_done"] = LearningAction.objects.create(
        audit=graded, description="Secret text C", due_on=day(5), status="done", completed_on=day(-1)
    )  # the manager's to sign off (due in 13 days)
    CompletedAuditFactory(case=mine2, auditor=auditor, completed_on=day(-3), practitioner_response="Reflected")
    t["link"] = FeedbackRequest.objects.create(
        token_hash="x" * 64,
        case=mine,
        respondent="child",
        created_by=practitioner,
        expires_at=timezone.now() + datetime.timedelta(days=5, hours=1),
    )
    # Another region's done action: not for this manager.
    other_graded = CompletedAuditFactory(case=theirs, auditor=other_auditor, completed_on=day(-10))
    LearningAction.objects.create(
        audit=other_graded, description="Other", due_on=day(-30), status="done", completed_on=day(-2)
    )
    t["other_action_overdue"] = LearningAction.objects.create(audit=other_graded, description="Other", due_on=day(-3))

    # Complaints: one in the region (not yet acknowledged), one elsewhere.
    t["complaint"] = FeedbackFactory(case=mine, kind="complaint", complaint_stage=1, acknowledge_by=day(1))
    t["complaint_sw"] = FeedbackFactory(case=theirs, kind="complaint", complaint_stage=1, acknowledge_by=day(2))

    # Improvement plans: the manager owns one action; one action is overdue (board).
    t["plan_owned"] = ActionFactory(due_on=day(6))
    t["plan_owned"].owners.add(service_manager)
    t["plan_overdue"] = ActionFactory(due_on=day(-4))
    people = {
        "practitioner": practitioner,
        "auditor": auditor,
        "service_manager": service_manager,
        "other_manager": other_manager,
        "assistant_director": assistant_director,
        "board_member": board_member,
        "second_auditor": second_auditor,
    }
    return World(people=people, things=t)
