"""Immediate mail when work is given (one mail per person, however many items), and the account
page where each person chooses which emails they get."""

import datetime
import random

import pytest
from django.urls import reverse

from audits.services.moderation import moderation_draw
from audits.services.scheduling import schedule_audits
from audits.tests.factories import CompletedAuditFactory
from cases.tests.factories import CaseFactory
from organisation.tests.factories import UserFactory
from work.models import OutgoingMail

pytestmark = pytest.mark.django_db


def test_scheduling_mails_each_auditor_once_with_all_their_audits(
    practitioner, auditor, team, mailoutbox, django_capture_on_commit_callbacks
):
    for _ in range(8):
        CaseFactory(team=team, practitioner=practitioner)
    with django_capture_on_commit_callbacks(execute=True):
        report = schedule_audits(today=datetime.date(2025, 6, 2), rng=random.Random(1))
    assert len(report.scheduled) == 8
    (mail,) = mailoutbox
    assert mail.to == [auditor.email]
    assert mail.subject == "8 audits to grade given to you"
    assert mail.body.count("/audits/") == 8
    assert OutgoingMail.objects.get().sent_at is not None


def test_a_moderation_drawn_is_mailed_to_its_moderator(
    practitioner, auditor, team, mailoutbox, django_capture_on_commit_callbacks
):
    moderator = UserFactory(username="mod", team=team, roles=["auditor"])
    CompletedAuditFactory(case__team=team, case__practitioner=practitioner, auditor=auditor)
    with django_capture_on_commit_callbacks(execute=True):
        moderation_draw(share=1, rng=random.Random(1))
    assert [(m.to, m.subject) for m in mailoutbox] == [([moderator.email], "A moderation given to you")]


def test_no_mail_is_sent_when_the_change_rolls_back(practitioner, auditor, team, mailoutbox):
    from django.db import transaction

    for _ in range(8):
        CaseFactory(team=team, practitioner=practitioner)
    with pytest.raises(RuntimeError), transaction.atomic():
        schedule_audits(today=datetime.date(2025, 6, 2), rng=random.Random(1))
        raise RuntimeError("a later step failed")
    assert mailoutbox == [] and not OutgoingMail.objects.exists()


# ---- the account page ---------------------------------------------------------------------------


def test_a_person_chooses_digest_only(client, practitioner):
    client.force_login(practitioner)
    page = client.get(reverse("work:account")).content.decode()
    assert "Which emails do you want?" in page and 'value="immediate" checked' in page
    response = client.post(reverse("work:account"), {"email_preference": "digest"})
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.email_preference == "digest"


@pytest.mark.parametrize("value", ["", "everything"])
def test_a_bad_choice_is_refused_with_a_govuk_message(client, practitioner, value):
    client.force_login(practitioner)
    response = client.post(reverse("work:account"), {"email_preference": value})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "Choose" in html
    assert "This field is required" not in html and "Select a valid choice" not in html
    practitioner.refresh_from_db()
    assert practitioner.email_preference == "immediate"


def test_the_account_page_needs_sign_in(client):
    assert client.get(reverse("work:account")).status_code == 302


def test_quality_admins_read_the_outbox_and_others_cannot(client, quality_admin, service_manager, practitioner):
    OutgoingMail.objects.create(
        recipient=practitioner, to_address="fca@example.org", kind="digest", subject="Your work: 1", body="x"
    )
    client.force_login(quality_admin)
    page = client.get("/admin/work/outgoingmail/")
    assert page.status_code == 200 and "Your work: 1" in page.content.decode()
    client.force_login(service_manager)
    assert client.get("/admin/work/outgoingmail/").status_code in (302, 403)


def test_beat_runs_the_daily_reminders_each_weekday_morning(settings):
    from cafcass_qa.celery import app

    app.loader.import_default_modules()  # the worker's autodiscovery of every app's tasks.py
    entry = settings.CELERY_BEAT_SCHEDULE["send-reminders-weekdays"]
    assert entry["task"] in app.tasks
    assert entry["schedule"].day_of_week == {1, 2, 3, 4, 5}
    assert entry["schedule"].hour == {7}
