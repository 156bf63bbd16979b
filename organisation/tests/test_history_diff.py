"""The one history-diff helper (organisation.history.field_changes, on diff_against)."""

import pytest

from organisation.history import field_changes
from organisation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def shown(record, name):
    value = getattr(record, name)
    return "" if value is None else str(value)


def test_changed_fields_in_the_order_asked_with_what_they_showed():
    user = UserFactory(username="diff", full_name="Ann Old", email="")
    user.full_name, user.email = "Ann New", "ann@example.org"
    user.save()
    created, changed = user.history.order_by("history_date", "history_id")
    assert field_changes(changed, created, ["email", "full_name", "username"], shown) == [
        ("email", "", "ann@example.org"),
        ("full_name", "Ann Old", "Ann New"),
    ]
    # Created: every field with something to show, against "".
    assert field_changes(created, None, ["email", "full_name", "username"], shown) == [
        ("full_name", "", "Ann Old"),
        ("username", "", "diff"),
    ]


def test_a_stored_change_that_shows_the_same_is_not_a_change():
    user = UserFactory(username="same", full_name="Bo")
    user.save()
    first, second = user.history.order_by("history_date", "history_id")
    assert field_changes(second, first, ["full_name"], lambda r, n: "always the same") == []
