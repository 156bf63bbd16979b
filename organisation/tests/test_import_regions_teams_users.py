"""The organisation's import kinds: exact rows in, nothing changed on a second import, clear reasons out."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from organisation.importing import KINDS, import_csv
from organisation.models import Region, Team, User

pytestmark = pytest.mark.django_db

REGIONS = b"code,name\nnorth,North\nsouth,South\n"
TEAMS = b"code,name,region_code\nnorth-a,Alpha,north\nsouth-b,Bravo,south\n"
USERS = (
    b"username,full_name,email,roles,region_code,team_code\n"
    b"pat,Pat Practitioner,pat@example.org,practitioner;auditor,north,north-a\n"
    b"bea,Bea Board,,board_member,,\n"
)


def test_registry_holds_the_organisation_kinds():
    assert {"regions", "teams", "users"} <= set(KINDS)


def test_good_files_import_exactly_their_rows():
    assert import_csv("regions", REGIONS).created == 2
    assert import_csv("teams", TEAMS).created == 2
    report = import_csv("users", USERS)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert sorted(Region.objects.values_list("code", "name")) == [("north", "North"), ("south", "South")]
    assert sorted(Team.objects.values_list("code", "region__code")) == [("north-a", "north"), ("south-b", "south")]
    pat = User.objects.get(username="pat")
    assert (pat.full_name, pat.region.code, pat.team.code) == ("Pat Practitioner", "north", "north-a")
    assert pat.roles == {"practitioner", "auditor"}
    assert User.objects.get(username="bea").region is None


def test_imported_users_get_an_unusable_password():
    import_csv("regions", REGIONS)
    import_csv("teams", TEAMS)
    import_csv("users", USERS)
    assert not User.objects.get(username="pat").has_usable_password()


def test_second_import_of_the_same_files_changes_nothing():
    for kind, data in [("regions", REGIONS), ("teams", TEAMS), ("users", USERS)]:
        import_csv(kind, data)
    for kind, data, rows in [("regions", REGIONS, 2), ("teams", TEAMS, 2), ("users", USERS, 2)]:
        report = import_csv(kind, data)
        assert (report.created, report.updated, report.unchanged) == (0, 0, rows), kind


def test_a_changed_row_is_updated_by_its_natural_key():
    import_csv("regions", REGIONS)
    report = import_csv("regions", b"code,name\nnorth,North of England\nsouth,South\n")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Region.objects.get(code="north").name == "North of England"


def test_bad_user_rows_are_each_reported_and_nothing_is_saved():
    import_csv("regions", REGIONS)
    import_csv("teams", TEAMS)
    data = (
        b"username,full_name,email,roles,region_code,team_code\n"
        b"ok,Fine Person,ok@example.org,auditor,north,north-a\n"
        b"r1,Role Wrong,,wizard,north,\n"
        b"r2,Team Elsewhere,,auditor,north,south-b\n"
        b"r3,Email Bad,not-an-email,auditor,,\n"
        b"r4,No Roles,,,,\n"
    )
    report = import_csv("users", data)
    assert report.errors == [
        "line 3: roles: unknown role 'wizard'; roles are practitioner, auditor, service_manager, "
        "assistant_director, board_member, quality_admin, external_moderator separated by ';'",
        "line 4: team_code: the team must be in the person's home region",
        "line 5: email: enter a valid email address",
        "line 6: roles: a value is required",
    ]
    assert not User.objects.filter(username__in=["ok", "r1", "r2", "r3", "r4"]).exists()


def test_team_with_unknown_region_is_reported():
    report = import_csv("teams", b"code,name,region_code\nx,X,atlantis\n")
    assert report.errors == ["line 2: region_code: unknown region code 'atlantis'"]
    assert not Team.objects.exists()


def test_command_imports_and_prints_a_summary(tmp_path, capsys):
    path = tmp_path / "regions.csv"
    path.write_bytes(REGIONS)
    call_command("import_csv", "regions", str(path))
    assert "regions: 2 were created, 0 were updated, 0 unchanged." in capsys.readouterr().out
    assert Region.objects.count() == 2


def test_command_exits_non_zero_and_prints_every_error(tmp_path, capsys):
    path = tmp_path / "regions.csv"
    path.write_bytes(b"code,name\n,Nameless\nfine,\n")
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_csv", "regions", str(path))
    err = capsys.readouterr().err
    assert "line 2: code: a value is required" in err
    assert "line 3: name: a value is required" in err
    assert not Region.objects.exists()


def test_command_rejects_an_unknown_kind(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(REGIONS)
    with pytest.raises(CommandError, match="Unknown kind 'planets'"):
        call_command("import_csv", "planets", str(path))


def test_a_team_name_already_used_in_its_region_is_reported_against_the_name():
    import_csv("regions", REGIONS)
    import_csv("teams", TEAMS)
    report = import_csv("teams", b"code,name,region_code\nnorth-z,Alpha,north\n")
    assert report.errors == ["line 2: name: team with this Region and Name already exists"]


def test_a_team_with_people_cannot_be_moved_to_another_region():
    import_csv("regions", REGIONS)
    import_csv("teams", TEAMS)
    import_csv("users", USERS)  # pat is in north-a
    report = import_csv("teams", b"code,name,region_code\nnorth-a,Alpha,south\nsouth-b,Bravo,south\n")
    assert report.errors == [
        "line 2: region_code: team 'north-a' has cases or people in region 'north'; "
        "move them to another team before moving the team to another region"
    ]
    assert Team.objects.get(code="north-a").region.code == "north"
    pat = User.objects.get(username="pat")
    assert (pat.region.code, pat.team.region.code) == ("north", "north")


def test_an_empty_team_may_move_region():
    import_csv("regions", REGIONS)
    import_csv("teams", TEAMS)
    report = import_csv("teams", b"code,name,region_code\nsouth-b,Bravo,north\n")
    assert (report.errors, report.updated) == ([], 1)
    assert Team.objects.get(code="south-b").region.code == "north"


def test_a_person_with_a_team_needs_a_home_region():
    import_csv("regions", REGIONS)
    import_csv("teams", TEAMS)
    data = b"username,full_name,email,roles,region_code,team_code\nnoreg,No Region,,practitioner,,north-a\n"
    assert import_csv("users", data).errors == [
        "line 2: region_code: give the person's home region as well as their team"
    ]
    assert not User.objects.filter(username="noreg").exists()


def test_role_names_are_exact_and_a_repeat_import_may_change_roles():
    import_csv("regions", REGIONS)
    import_csv("teams", TEAMS)
    import_csv("users", USERS)
    header = b"username,full_name,email,roles,region_code,team_code\n"
    report = import_csv("users", header + b"pat,Pat Practitioner,pat@example.org,Practitioner,north,north-a\n")
    assert report.errors == [
        "line 2: roles: unknown role 'Practitioner'; roles are practitioner, auditor, service_manager, "
        "assistant_director, board_member, quality_admin, external_moderator separated by ';'"
    ]
    report = import_csv("users", header + b"pat,Pat Practitioner,pat@example.org,auditor,north,north-a\n")
    assert (report.errors, report.updated) == ([], 1)
    assert set(User.objects.get(username="pat").groups.values_list("name", flat=True)) == {"auditor"}
