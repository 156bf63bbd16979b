"""Handing links over: the work-list selector, the link with a copy button and a printable letter whose
QR code decodes to the link, an email through a real SMTP server (the address never stored), reminders."""

import datetime
import io
import re
import socket

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from cases.tests.factories import CaseFactory, ChildFactory
from feedback.links import feedback_handover_reminders_send, feedback_requests_for_closed_case
from feedback.models import FeedbackRequest
from feedback.selectors import feedback_requests_to_hand_over

pytestmark = pytest.mark.django_db

CLOSED_AT = datetime.datetime(2025, 4, 16, 10, tzinfo=datetime.UTC)  # Wed 16 April 2025, before Easter


@pytest.fixture
def case(team, practitioner):
    case = CaseFactory(reference="HO-1", team=team, practitioner=practitioner)
    ChildFactory(case=case, label="Child A", age_band="5-9")
    with time_machine.travel(CLOSED_AT):
        feedback_requests_for_closed_case(case=case)
    return case


def test_the_selector_lists_a_practitioners_links_to_hand_over(case, practitioner, colleague):
    waiting = feedback_requests_to_hand_over(practitioner=practitioner, today=datetime.date(2025, 4, 17))
    assert {(r.audience, r.child_label) for r in waiting} == {
        ("child", "Child A"),
        ("parent_carer", ""),
        ("judge", ""),
    }
    # 10 working days after Wed 16 April 2025, skipping Good Friday (18th) and Easter Monday (21st):
    # 17, 22, 23, 24, 25, 28, 29, 30 April, 1, 2 May → Fri 2 May.
    assert {r.due_on for r in waiting} == {datetime.date(2025, 5, 2)}
    assert not any(r.overdue for r in waiting)
    later = feedback_requests_to_hand_over(practitioner=practitioner, today=datetime.date(2025, 5, 6))
    assert all(r.overdue for r in later)
    assert feedback_requests_to_hand_over(practitioner=colleague) == []


def test_the_selector_runs_one_query(case, practitioner, django_assert_num_queries):
    with django_assert_num_queries(1):  # the requests with their cases
        feedback_requests_to_hand_over(practitioner=practitioner)


def decode_qr(svg: str) -> str:
    """Draw the page's QR code (segno's SVG path: rows of 'h' runs) and read it with zxing-cpp."""
    import zxingcpp
    from PIL import Image, ImageDraw

    size = int(re.search(r'width="(\d+)"', svg).group(1))
    scale = int(re.search(r"scale\((\d+)\)", svg).group(1))
    path = re.search(r' d="([^"]+)"', svg).group(1)
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:  # a run of dark modules on the row through y
            draw.rectangle([x * scale, (y - 0.5) * scale, (x + float(a)) * scale - 1, (y + 0.5) * scale - 1], fill=0)
            x += float(a)
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    return results[0].text


def test_handing_over_shows_the_link_with_a_copy_button_and_a_letter_whose_qr_decodes_to_it(client, case, practitioner):
    request = FeedbackRequest.objects.get(case=case, audience="child")
    client.force_login(practitioner)
    page = client.get(f"/feedback/requests/{request.pk}/")
    assert page.status_code == 200 and "Child A" in page.content.decode()
    response = client.post(f"/feedback/requests/{request.pk}/", {"how": "link"})
    html = response.content.decode()
    url = response.context["url"]
    assert re.fullmatch(r"http://testserver/f/[A-Za-z0-9_-]{43}/", url)
    assert 'data-copy-target="feedback-link"' in html and "js/feedback-copy.js" in html
    svg = re.search(r'<div class="app-qr"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert decode_qr(svg) == url
    letter = re.search(r'<section class="app-letter".*?</section>', html, re.S).group(0)
    assert "Child A" not in letter and case.reference not in letter
    request.refresh_from_db()
    assert request.handed_over_how == "link" and request.handed_over_by == practitioner
    client.logout()
    assert client.get(url.removeprefix("http://testserver")).status_code == 200
    assert feedback_requests_to_hand_over(practitioner=practitioner, today=datetime.date(2025, 4, 17)).__len__() == 2


def test_a_new_link_replaces_a_lost_one(client, case, practitioner):
    request = FeedbackRequest.objects.get(case=case, audience="judge")
    client.force_login(practitioner)
    first = client.post(f"/feedback/requests/{request.pk}/", {"how": "link"}).context["url"]
    second = client.post(f"/feedback/requests/{request.pk}/", {"how": "link"}).context["url"]
    client.logout()
    assert client.get(first.removeprefix("http://testserver")).status_code == 410
    assert client.get(second.removeprefix("http://testserver")).status_code == 200


def test_another_practitioner_cannot_hand_over_the_link(client, case, colleague, other_manager):
    request = FeedbackRequest.objects.get(case=case, audience="judge")
    for outsider in (colleague, other_manager):
        client.force_login(outsider)
        assert client.post(f"/feedback/requests/{request.pk}/", {"how": "link"}).status_code == 404
    request.refresh_from_db()
    assert request.token_hash is None


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port, collecting what it receives."""
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ):
            yield handler
    finally:
        controller.stop()


def all_feedback_text() -> str:
    """Every value in every feedback table (and their history), to look for something that must not be kept."""
    out = []
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names() if "feedback" in t]
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the schema
            out += [str(row) for row in cursor.fetchall()]
    return "\n".join(out)


def test_a_link_emailed_through_a_real_smtp_server_and_the_address_not_kept(client, case, practitioner, smtp_server):
    request = FeedbackRequest.objects.get(case=case, audience="parent_carer")
    client.force_login(practitioner)
    address = "parent.someone@example.org"
    response = client.post(f"/feedback/requests/{request.pk}/", {"how": "email", "email": address})
    assert response.status_code == 302, response.content.decode()[:3000]
    [(recipients, content)] = smtp_server.messages
    assert recipients == [address]
    url = re.search(r"http://testserver/f/[A-Za-z0-9_-]{43}/", content).group(0)
    assert case.reference not in content and "Child A" not in content
    assert address not in all_feedback_text()
    client.logout()
    assert client.get(url.removeprefix("http://testserver")).status_code == 200


def test_a_refused_email_changes_nothing_and_says_so(client, case, practitioner):
    request = FeedbackRequest.objects.get(case=case, audience="parent_carer")
    client.force_login(practitioner)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_PORT=port,
        EMAIL_HOST="127.0.0.1",
        EMAIL_TIMEOUT=5,
    ):
        response = client.post(f"/feedback/requests/{request.pk}/", {"how": "email", "email": "a@example.org"})
    assert response.status_code == 200
    assert "could not send the email" in response.content.decode()
    request.refresh_from_db()
    assert request.token_hash is None and request.handed_over_at is None


def test_a_bad_address_is_explained(client, case, practitioner):
    request = FeedbackRequest.objects.get(case=case, audience="parent_carer")
    client.force_login(practitioner)
    response = client.post(f"/feedback/requests/{request.pk}/", {"how": "email", "email": "not an address"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_a_reminder_goes_once_after_ten_working_days(case, practitioner):
    practitioner.email = "priya@example.org"
    practitioner.save()
    assert feedback_handover_reminders_send(today=datetime.date(2025, 5, 1)) == 0  # 9 working days
    assert feedback_handover_reminders_send(today=datetime.date(2025, 5, 2)) == 1
    [message] = mail.outbox
    assert message.to == ["priya@example.org"] and "HO-1" in message.body
    assert feedback_handover_reminders_send(today=datetime.date(2025, 5, 6)) == 0
    assert FeedbackRequest.objects.filter(reminded_at__isnull=False).count() == 3


def test_no_reminder_for_links_handed_over(client, case, practitioner):
    practitioner.email = "priya@example.org"
    practitioner.save()
    client.force_login(practitioner)
    for request in FeedbackRequest.objects.all():
        client.post(f"/feedback/requests/{request.pk}/", {"how": "link"})
    assert feedback_handover_reminders_send(today=timezone.localdate() + datetime.timedelta(days=60)) == 0
    assert mail.outbox == []


def test_the_reminder_command_reminds_and_rejects_a_bad_date(case, practitioner):
    from django.core.management import CommandError, call_command

    practitioner.email = "priya@example.org"
    practitioner.save()
    out = io.StringIO()
    call_command("remind_feedback_handover", "--today", "2025-05-02", stdout=out)
    assert out.getvalue().strip() == "Reminded 1 practitioner."
    with pytest.raises(CommandError, match="not a date"):
        call_command("remind_feedback_handover", "--today", "2025-13-01")


def test_the_beat_task_reminds_once(case, practitioner):
    from feedback.tasks import remind_feedback_handover_task

    practitioner.email = "priya@example.org"
    practitioner.save()
    assert remind_feedback_handover_task.delay("2025-05-02").get() == 1
    assert remind_feedback_handover_task.delay("2025-05-05").get() == 0
    assert len(mail.outbox) == 1
