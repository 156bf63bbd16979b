"""The demo gives every demo login something on their work list (seeded once, rolled back after)."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from organisation.models import User
from work.items import work_list

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def lists(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                call_command("seed_demo", stdout=io.StringIO())
                out = {}
                for username in ("practitioner", "auditor", "manager", "director", "board", "qadmin"):
                    work = work_list(User.objects.get(username=username))
                    out[username] = {g.source.key: g.total for g in work.groups if g.total}
                raise _Rollback
        except _Rollback:
            pass
    return out


@pytest.mark.parametrize("username", ["practitioner", "auditor", "manager", "director", "board", "qadmin"])
def test_every_demo_login_has_work(lists, username):
    assert lists[username], f"{username} has nothing on their work list"


def test_the_demo_auditor_has_audits_to_grade_and_a_moderation(lists):
    assert lists["auditor"].get("grade") and lists["auditor"].get("moderate")


def test_the_demo_manager_has_learning_actions_to_sign_off(lists):
    assert lists["manager"].get("sign_off")


def test_the_demo_practitioner_has_a_learning_action(lists):
    assert lists["practitioner"].get("my_actions")


def test_the_demo_board_member_is_told_of_overdue_plan_actions(lists):
    assert lists["board"].get("overdue_plan_actions")
