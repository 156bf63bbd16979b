"""send_reminders against a real SMTP server started here (aiosmtpd on loopback): one digest per
person with exactly their items, nothing twice on one day, no child's details; escalation at 10
working days (bank holidays excluded); a mail server that is down loses nothing."""

import datetime
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from audits.models import Audit, Grade, LearningAction
from audits.services.learning import learning_action_mark_done, learning_action_return
from audits.services.workflow import audit_complete, learning_action_add
from audits.tests.factories import AuditFactory, CompletedAuditFactory
from organisation.tests.factories import UserFactory
from work.models import OutgoingMail

from .conftest import TODAY
from .smtp import SmtpServer, free_port, use_smtp

pytestmark = pytest.mark.django_db(transaction=True)

URL = re.compile(r"http://testserver(/\S+)")


@pytest.fixture
def smtp(settings):
    settings.SITE_URL = "http://testserver"
    with SmtpServer() as server:
        use_smtp(settings, server.port)
        yield server


def run(day=TODAY):
    call_command("send_reminders", "--today", day.isoformat())


def links(body: str) -> set[str]:
    return {u for u in URL.findall(body) if u not in ("/my-work/", "/account/")}


def digests(server):
    return [m for m in server.inbox.messages if m.subject.startswith("Your work:")]


def test_one_digest_per_person_with_exactly_their_items_and_no_childs_details(smtp, world):
    t, p = world.things, world.people
    audit = lambda key: reverse("audits:detail", args=[t[key].pk])  # noqa: E731
    action = lambda key: reverse("audits:action", args=[t[key].audit_id, t[key].pk])  # noqa: E731
    plan = lambda key: f"/plans/{t[key].objective.plan_id}/#action-{t[key].pk}"  # noqa: E731
    complaint = lambda key: reverse("feedback:complaint", args=[t[key].pk])  # noqa: E731
    # Overdue, or due within 7 days: worked out by hand from the world's dates.
    expected = {
        p["auditor"].email: {
            audit("grade_overdue"),
            audit("grade_soon"),
            reverse("audits:moderate", args=[t["moderation"].audit_id]),
        },
        p["practitioner"].email: {action("action_overdue"), "/cases/NE-0001/"},
        p["service_manager"].email: {
            audit("region_overdue"),
            audit("grade_overdue"),
            action("action_overdue"),
            complaint("complaint"),
            plan("plan_owned"),
        },
        p["other_manager"].email: {
            audit("other_overdue"),
            action("other_action_overdue"),
            complaint("complaint_sw"),
        },
        p["assistant_director"].email: {
            audit("region_overdue"),
            audit("other_overdue"),
            audit("grade_overdue"),
            action("action_overdue"),
            action("other_action_overdue"),
            plan("plan_overdue"),
            complaint("complaint"),
            complaint("complaint_sw"),
        },
        p["board_member"].email: {plan("plan_overdue")},
        p["second_auditor"].email: {audit("region_overdue")},
        "aud-sw@example.org": {audit("other_overdue")},
        "fca-sw@example.org": {action("other_action_overdue")},
    }
    run()
    received = digests(smtp)
    assert sorted(address for m in received for address in m.to) == sorted(expected)  # one each
    for message in received:
        (address,) = message.to
        assert links(message.body) == expected[address], address
        assert "Zebedee" not in message.body and "Secret text" not in message.body
        assert "Child " not in message.body
    assert "NE-0001" in smtp.inbox.to(p["practitioner"].email)[0].body  # case references, links

    before = len(smtp.inbox.messages)
    run()  # the same day again: nothing new
    assert len(smtp.inbox.messages) == before
    assert OutgoingMail.objects.filter(sent_at__isnull=True).count() == 0


def test_nobody_with_nothing_due_gets_a_digest_and_none_means_none(smtp, practitioner, auditor, team, colleague):
    audit = CompletedAuditFactory(case__team=team, case__practitioner=practitioner, auditor=auditor)
    LearningAction.objects.create(audit=audit, description="x", due_on=TODAY + datetime.timedelta(days=2))
    practitioner.email_preference = "none"
    practitioner.save()
    run()
    assert digests(smtp) == []  # the practitioner chose none; the colleague and auditor have nothing due


def test_immediate_mail_on_assignment_and_return_but_not_for_digest_only(
    smtp, practitioner, auditor, team, service_manager
):
    audit = CompletedAuditFactory(case__team=team, case__practitioner=practitioner, auditor=auditor)
    action = learning_action_add(audit=audit, by=auditor, description="Secret text", due_on=TODAY)
    (mail,) = smtp.inbox.to(practitioner.email)
    assert mail.subject == "A learning action given to you"
    assert reverse("audits:action", args=[audit.pk, action.pk]) in mail.body and "Secret text" not in mail.body
    learning_action_mark_done(action=action, by=practitioner, note="Done it")
    learning_action_return(action=action, by=service_manager, reason="Secret reason")
    returned = smtp.inbox.to(practitioner.email)[-1]
    assert returned.subject == "A learning action was returned to you" and "Secret reason" not in returned.body
    practitioner.email_preference = "digest"
    practitioner.save()
    learning_action_add(audit=audit, by=auditor, description="Another", due_on=TODAY)
    assert len(smtp.inbox.to(practitioner.email)) == 2  # digest only: no new immediate mail


def test_an_unreachable_mail_server_loses_nothing(settings, practitioner, auditor, team):
    settings.SITE_URL = "http://testserver"
    port = free_port()  # nothing listens here
    use_smtp(settings, port)
    audit = CompletedAuditFactory(case__team=team, case__practitioner=practitioner, auditor=auditor)
    action = learning_action_add(audit=audit, by=auditor, description="Keep me", due_on=TODAY)
    assert LearningAction.objects.filter(pk=action.pk, description="Keep me").exists()  # the action is saved
    # A grade too: completing an audit mails its learning action, and the mail failing changes nothing.
    graded = AuditFactory(
        case__team=team, case__practitioner=practitioner, auditor=auditor, status="submitted", overall_grade=Grade.GOOD
    )
    LearningAction.objects.create(audit=graded, description="Later", due_on=TODAY + datetime.timedelta(days=30))
    audit_complete(audit=graded, by=auditor)
    assert Audit.objects.get(pk=graded.pk).final_grade == Grade.GOOD
    OutgoingMail.objects.exclude(pk=OutgoingMail.objects.order_by("pk").first().pk).delete()
    waiting = OutgoingMail.objects.get()
    assert waiting.sent_at is None and waiting.attempts >= 1 and waiting.last_error
    with pytest.raises(CommandError, match="could not be sent"):
        run()
    assert OutgoingMail.objects.filter(sent_at__isnull=True).count() == 2  # the mail and today's digest
    # The server comes back: the next run sends both, once.
    with SmtpServer(port) as server:
        run()
        run()
    assert sorted(m.subject for m in server.inbox.messages) == [
        "A learning action given to you",
        "Your work: 1 due in the next week",
    ]
    assert OutgoingMail.objects.filter(sent_at__isnull=True).count() == 0


# ---- escalation at 10 working days overdue ------------------------------------------------------------


def escalations(server):
    return [m for m in server.inbox.messages if m.subject.startswith("Overdue in your region")]


def test_escalation_to_the_regions_manager_at_ten_working_days_once_per_item(
    smtp, practitioner, auditor, team, service_manager, other_manager
):
    audit = CompletedAuditFactory(case__team=team, case__practitioner=practitioner, auditor=auditor)
    first = LearningAction.objects.create(audit=audit, description="x", due_on=datetime.date(2026, 3, 2))
    second = LearningAction.objects.create(audit=audit, description="y", due_on=datetime.date(2026, 3, 3))
    run(datetime.date(2026, 3, 16))  # 3, 4, 5, 6, 9, 10, 11, 12, 13, 16 March: ten working days after the 2nd
    (mail,) = escalations(smtp)
    assert mail.to == [service_manager.email]
    assert links(mail.body) == {reverse("audits:action", args=[audit.pk, first.pk])}
    run(datetime.date(2026, 3, 16))
    assert len(escalations(smtp)) == 1  # not twice
    run(datetime.date(2026, 3, 17))  # the second reaches ten working days; the first is not repeated
    later = escalations(smtp)[1]
    assert links(later.body) == {reverse("audits:action", args=[audit.pk, second.pk])}
    assert not smtp.inbox.to(other_manager.email)


def test_bank_holidays_do_not_count_towards_escalation(smtp, practitioner, auditor, team, service_manager):
    audit = CompletedAuditFactory(case__team=team, case__practitioner=practitioner, auditor=auditor)
    LearningAction.objects.create(audit=audit, description="x", due_on=datetime.date(2026, 3, 27))
    # 30, 31 March, 1, 2, 7, 8, 9, 10, 13 April: nine working days (Good Friday and Easter Monday are not).
    run(datetime.date(2026, 4, 13))
    assert escalations(smtp) == []
    run(datetime.date(2026, 4, 14))
    assert len(escalations(smtp)) == 1


def test_bad_date_is_a_clear_message():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "2026-02-30")


def test_a_person_without_an_email_address_is_skipped(smtp, practitioner, auditor, team):
    UserFactory(username="no-mail", email="", team=team, roles=["auditor"])
    audit = CompletedAuditFactory(case__team=team, case__practitioner=practitioner, auditor=auditor)
    LearningAction.objects.create(audit=audit, description="x", due_on=TODAY)
    run()
    assert [m.to for m in digests(smtp)] == [[practitioner.email]]
