"""The visibility module (organisation.visibility): what each person may see, by role and region."""

import pytest

from cases.models import Case
from cases.tests.factories import CaseFactory
from organisation import visibility
from organisation.models import Region
from organisation.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(team, other_team, practitioner, colleague):
    return {
        "mine": CaseFactory(reference="C-MINE", team=team, practitioner=practitioner),
        "colleague": CaseFactory(reference="C-COLLEAGUE", team=team, practitioner=colleague),
        "elsewhere": CaseFactory(reference="C-ELSEWHERE", team=other_team),
    }


def refs(user):
    return set(visibility.visible_cases(user, Case.objects.all()).values_list("reference", flat=True))


def test_service_manager_sees_only_their_region(service_manager, cases, other_region):
    assert refs(service_manager) == {"C-MINE", "C-COLLEAGUE"}
    assert list(visibility.visible_regions(service_manager)) == [service_manager.region]
    assert not visibility.can_see_region(service_manager, other_region)


def test_practitioner_sees_only_their_own_cases(practitioner, cases):
    assert refs(practitioner) == {"C-MINE"}


def test_auditor_sees_their_region(auditor, cases):
    assert refs(auditor) == {"C-MINE", "C-COLLEAGUE"}


def test_quality_admin_sees_everything(quality_admin, cases):
    assert refs(quality_admin) == {"C-MINE", "C-COLLEAGUE", "C-ELSEWHERE"}


def test_board_member_and_director_see_no_case_but_every_region(board_member, assistant_director, cases):
    for user in (board_member, assistant_director):
        assert refs(user) == set()
        assert not visibility.can_see_cases(user)
        assert set(visibility.visible_regions(user)) == set(Region.objects.all())


def test_roles_add_up(cases, other_team):
    # A manager in the South West who also carries one case in the North East.
    both = UserFactory(username="both", team=other_team, roles=["practitioner", "service_manager"])
    Case.objects.filter(reference="C-MINE").update(practitioner=both)
    assert refs(both) == {"C-MINE", "C-ELSEWHERE"}


def test_inactive_or_anonymous_people_see_nothing(service_manager, cases):
    from django.contrib.auth.models import AnonymousUser

    assert refs(AnonymousUser()) == set()
    service_manager.is_active = False
    assert refs(service_manager) == set()
    assert not visibility.visible_regions(service_manager).exists()


def test_people_a_manager_may_filter_by_are_their_region_and_no_further(
    service_manager, practitioner, colleague, other_manager, quality_admin
):
    from organisation.models import User

    names = set(visibility.visible_people(service_manager, User.objects.all()).values_list("username", flat=True))
    assert names == {"manager", "fca", "fca2"}
    assert set(visibility.visible_people(practitioner, User.objects.all())) == {practitioner}
    assert other_manager in visibility.visible_people(quality_admin, User.objects.all())
