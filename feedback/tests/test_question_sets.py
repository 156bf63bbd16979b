"""Question sets per audience: each person gets their own questions, versions stay with answers,
and the answers mapped to a headline figure fill the Feedback fields the figures read."""

import pytest

from cases.tests.factories import CaseFactory
from feedback import services
from feedback.models import Answer, Audience, Feedback, Question, QuestionSet
from feedback.question_data import SHIPPED
from feedback.questions import question_set_revise, question_set_rows

from .helpers import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(team, practitioner):
    return CaseFactory(reference="QS-1", team=team, practitioner=practitioner)


def questions_seen(client, token) -> list[str]:
    """Every question text the person is shown, walking the pages as they would."""
    seen = []
    start = client.get(f"/f/{token}/")
    first = start.context["first"]
    if first.endswith("/questions/"):
        seen += [f.label for f in client.get(first).context["form"]]
    else:
        number = 1
        while (page := client.get(f"/f/{token}/questions/{number}/")).status_code == 200:
            seen.append(page.context["question"].text)
            number += 1
    return seen


def test_five_sets_ship_one_current_version_each():
    assert sorted(QuestionSet.objects.filter(is_current=True).values_list("slug", flat=True)) == sorted(Audience.values)


@pytest.mark.parametrize("audience", Audience.values)
def test_each_person_gets_their_own_questions_and_none_of_anothers(client, case, practitioner, audience):
    _, token = services.feedback_request_create(case=case, audience=audience, by=practitioner)
    mine = [q[3] for q in SHIPPED[audience]["questions"]]
    others = {q[3] for a, data in SHIPPED.items() if a != audience for q in data["questions"]} - set(mine)
    seen = questions_seen(client, token)
    assert seen == mine
    html = "".join(client.get(f"/f/{token}/check/").content.decode())
    assert not [text for text in others if text in html]


def test_a_judges_link_asks_the_judges_questions_not_the_childs(client, case, practitioner):
    _, token = services.feedback_request_create(case=case, audience="judge", by=practitioner)
    html = client.get(f"/f/{token}/questions/").content.decode()
    assert "Was our report filed on time?" in html
    assert "Did your worker listen to you?" not in html and "do better for other children" not in html


def test_a_childs_questions_come_one_per_page_with_the_picture_scale(client, case, practitioner):
    _, token = services.feedback_request_create(case=case, audience="child", by=practitioner)
    html = client.get(f"/f/{token}/questions/1/").content.decode()
    assert html.count('name="listened"') == 3
    assert "feedback/faces/happy.svg" in html and "feedback/faces/sad.svg" in html
    assert "Question 1 of 4" in html


def test_an_answer_keeps_its_question_set_version_after_an_edit(client, case, practitioner):
    _, token = services.feedback_request_create(case=case, audience="judge", by=practitioner)
    answer_all(client, token, {"helpfulness": "8", "on_time": "yes"})
    given = Feedback.objects.get()
    old = QuestionSet.objects.get(slug="judge", is_current=True)

    rows = question_set_rows(old)
    rows[1]["text"] = "Did our report reach the court by the date it set?"
    new = question_set_revise(question_set=old, questions=rows)

    assert (new.version, old.version) == (2, 1) and new.pk != old.pk
    given.refresh_from_db()
    assert given.question_set_id == old.pk
    on_time = Answer.objects.get(feedback=given, question__code="on_time")
    assert on_time.question.text == "Was our report filed on time?"  # what the judge was asked
    assert on_time.question.question_set.version == 1
    _, token2 = services.feedback_request_create(case=case, audience="judge", by=practitioner)
    assert "reach the court by the date it set" in client.get(f"/f/{token2}/questions/").content.decode()


def test_a_set_nobody_answered_is_edited_in_place():
    current = QuestionSet.objects.get(slug="professional", is_current=True)
    rows = question_set_rows(current)[:2]
    same = question_set_revise(question_set=current, questions=rows, name="Professionals")
    assert same.pk == current.pk and same.version == 1
    assert same.questions.count() == 2


def admin_data(current):
    questions = list(current.questions.order_by("order"))
    data = {
        "name": current.name,
        "intro": current.intro,
        "ask_when_case_closes": "on",
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(len(questions)),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for i, q in enumerate(questions):
        for field in ["code", "order", "text", "hint", "kind", "measure"]:
            data[f"questions-{i}-{field}"] = getattr(q, field)
        data[f"questions-{i}-id"] = q.pk
        data[f"questions-{i}-question_set"] = current.pk
    return data


def test_the_admin_saves_an_edit_of_a_set_in_use_as_a_new_version(admin_client, case, practitioner, client):
    _, token = services.feedback_request_create(case=case, audience="parent_carer", by=practitioner)
    answer_all(client, token, {"helpfulness": "6"})
    current = QuestionSet.objects.get(slug="parent_carer", is_current=True)
    data = admin_data(current)
    data["questions-0-text"] = "How much did your family court adviser help?"
    response = admin_client.post(f"/admin/feedback/questionset/{current.pk}/change/", data, follow=True)
    assert response.status_code == 200
    assert "saved as version 2" in response.content.decode()
    assert Question.objects.get(question_set__slug="parent_carer", question_set__version=1, order=1).text == (
        "How helpful was your family court adviser?"
    )
    assert QuestionSet.objects.get(slug="parent_carer", is_current=True).version == 2


def test_the_admin_refuses_two_questions_feeding_one_figure(admin_client):
    current = QuestionSet.objects.get(slug="judge", is_current=True)
    data = admin_data(current)
    data["questions-5-kind"] = "scale_0_10"
    data["questions-5-measure"] = "helpfulness"  # the first question feeds helpfulness already
    response = admin_client.post(f"/admin/feedback/questionset/{current.pk}/change/", data)
    assert response.status_code == 200
    assert "Two questions have the same figure: helpfulness." in response.content.decode()
    assert QuestionSet.objects.filter(slug="judge").count() == 1
    assert current.questions.get(order=6).measure == "comments"


def test_a_question_cannot_feed_a_figure_its_kind_cannot_give():
    from django.core.exceptions import ValidationError

    current = QuestionSet.objects.get(slug="judge", is_current=True)
    rows = question_set_rows(current)
    rows[1]["measure"] = "helpfulness"  # a yes/no question cannot give a 0-10 score
    rows[0]["measure"] = ""
    with pytest.raises(ValidationError):
        question_set_revise(question_set=current, questions=rows)
    assert QuestionSet.objects.get(slug="judge", is_current=True).questions.get(order=1).measure == "helpfulness"


def test_staff_record_paper_feedback_on_the_same_questions(client, service_manager, case):
    client.force_login(service_manager)
    form = client.get("/feedback/new/?audience=judge").content.decode()
    assert "Was our report filed on time?" in form
    response = client.post(
        "/feedback/new/?audience=judge",
        {
            "case_reference": "QS-1",
            "channel": "paper",
            "kind": "compliment",
            "received_on": "2025-05-02",
            "helpfulness": "10",
            "assisted_court": "yes",
            "comments": "A clear analysis.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    feedback = Feedback.objects.get()
    assert (feedback.respondent, feedback.channel, feedback.kind) == ("judge", "paper", "compliment")
    assert (feedback.helpfulness, feedback.worker_helped, feedback.comments) == (10, True, "A clear analysis.")
    assert feedback.recorded_by == service_manager
    assert set(feedback.answers.values_list("question__code", "value")) == {
        ("helpfulness", "10"),
        ("assisted_court", "yes"),
        ("comments", "A clear analysis."),
    }


def test_an_unknown_audience_on_the_staff_form_is_explained(client, service_manager):
    client.force_login(service_manager)
    response = client.get("/feedback/new/?audience=alien", follow=True)
    assert response.status_code == 200
    assert "Choose who gave the feedback" in response.content.decode()


def test_staff_recorded_anonymous_feedback_is_not_shown_against_the_case(client, service_manager, case, practitioner):
    client.force_login(service_manager)
    response = client.post(
        "/feedback/new/?audience=parent_carer",
        {
            "case_reference": "QS-1",
            "channel": "in_person",
            "kind": "feedback",
            "received_on": "2025-05-02",
            "helpfulness": "4",
            "anonymous": "on",
        },
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.case is None and (feedback.region, feedback.team) == (case.region, case.team)
    client.force_login(practitioner)
    assert client.get("/feedback/").context["summary"]["total"] == 0
