"""Change history on cases, children and people (django-simple-history): who changed what and when,
shown to quality admins in the admin; a password never copied, a sign-in never a change."""

import datetime

import pytest
from django.contrib.auth.models import Group

from cases.models import Case, Child
from cases.tests.factories import CaseFactory, ChildFactory
from organisation.models import User
from organisation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_case_change_is_kept_and_shown_to_quality_admins(client, quality_admin, team, practitioner):
    case = CaseFactory(reference="HIST-1", team=team, practitioner=practitioner, received_on=datetime.date(2025, 4, 1))
    client.force_login(quality_admin)
    case.closed_on = datetime.date(2025, 9, 1)
    case.save()
    rows = list(case.history.order_by("history_date"))
    assert [r.history_type for r in rows] == ["+", "~"]
    assert rows[0].closed_on is None and rows[1].closed_on == datetime.date(2025, 9, 1)
    delta = rows[1].diff_against(rows[0])
    assert delta.changed_fields == ["closed_on"]
    page = client.get(f"/admin/cases/case/{case.pk}/history/")
    assert page.status_code == 200
    assert "have a change history" not in page.content.decode()  # both rows listed


def test_an_admin_edit_of_a_case_records_the_quality_admin_as_the_changer(client, quality_admin, team, practitioner):
    case = CaseFactory(reference="HIST-2", team=team, practitioner=practitioner, received_on=datetime.date(2025, 4, 1))
    client.force_login(quality_admin)
    form = {
        "reference": "HIST-2",
        "region": case.region_id,
        "team": case.team_id,
        "law_type": case.law_type,
        "application_type": case.application_type,
        "practitioner": practitioner.pk,
        "received_on": "2025-04-01",
        "allocated_on": "2025-04-02",
        "report_due_on": "2025-06-24",
        "closed_on": "2025-10-01",
        "children-TOTAL_FORMS": "0",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "1000",
    }
    response = client.post(f"/admin/cases/case/{case.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = Case.history.filter(id=case.pk).latest("history_date")
    assert latest.closed_on == datetime.date(2025, 10, 1)
    assert latest.history_user_id == quality_admin.pk


def test_a_childs_details_are_kept_in_history(team):
    child = ChildFactory(case=CaseFactory(team=team), label="Child A", religion="")
    child.religion = "Sikh"
    child.save()
    assert [h.religion for h in Child.history.filter(id=child.pk).order_by("history_date")] == ["", "Sikh"]


def test_a_change_of_roles_is_kept_in_the_persons_history(team):
    person = UserFactory(username="hist-person", team=team, roles=["practitioner"])
    person.groups.add(Group.objects.get(name="auditor"))
    latest = person.history.latest("history_date")
    assert sorted(g.group.name for g in latest.groups.all()) == ["auditor", "practitioner"]


def test_the_persons_history_never_holds_the_password_hash():
    fields = {f.name for f in User.history.model._meta.get_fields()}
    assert "password" not in fields and "last_login" not in fields
    assert {"username", "is_active", "is_superuser", "region", "team"} <= fields


def test_signing_in_is_not_a_change_to_the_person(client, team):
    person = UserFactory(username="hist-signin", team=team, roles=["practitioner"])
    before = person.history.count()
    response = client.post("/accounts/login/", {"username": "hist-signin", "password": "demo-password-1"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_login is not None  # still recorded on the person
    assert person.history.count() == before


def test_the_people_and_children_admin_show_history_to_quality_admins(client, quality_admin, team):
    person = UserFactory(username="hist-shown", team=team, roles=["practitioner"])
    child = ChildFactory(case=CaseFactory(team=team), label="Child Q")
    client.force_login(quality_admin)
    assert client.get(f"/admin/organisation/user/{person.pk}/history/").status_code == 200
    assert client.get(f"/admin/cases/child/{child.pk}/history/").status_code == 200
