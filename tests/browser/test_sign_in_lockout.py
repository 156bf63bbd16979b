"""Five wrong passwords in a real browser: the GOV.UK lock-out page, accessible; the right
password is refused until a quality admin unlocks the sign-in."""

from pathlib import Path

import pytest
from axes.utils import reset

from .conftest import DEMO_PASSWORD, assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_five_wrong_passwords_lock_the_sign_in_with_an_accessible_page(page, live_server, practitioner):
    for n in range(5):
        sign_in(page, live_server, practitioner, password=f"wrong-{n}")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Sign-in locked for 15 minutes"
    assert_accessible(page)
    Path("test-results").mkdir(exist_ok=True)
    page.screenshot(path="test-results/sign-in-locked.png", full_page=True)

    sign_in(page, live_server, practitioner, password=DEMO_PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Sign-in locked for 15 minutes"

    reset(username=practitioner.username)  # what the admin's "Unlock sign-in" action does
    sign_in(page, live_server, practitioner, password=DEMO_PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
