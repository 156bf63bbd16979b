"""The programme draw on a hand-built caseload: filters, size, strata, no self-audit, no recent audit, seeds."""

import datetime
import io
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from audits.models import Audit, AuditStatus, Programme
from audits.services.programmes import hamilton, months_before, programme_confirm, programme_create, programme_draw
from audits.tests.factories import AuditFactory, AuditTemplateFactory, CompletedAuditFactory
from cases.tests.factories import CaseFactory, ChildFactory
from organisation.tests.factories import RegionFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 30)
WINDOW = (datetime.date(2025, 7, 1), datetime.date(2026, 6, 30))


@pytest.fixture
def world(db):
    """Two regions in scope (north, south) and one outside it (west), each with a team, a
    practitioner and auditors: north has two auditors, south one, west one."""
    w = {}
    for code in ("north", "south", "west"):
        region = RegionFactory(code=code, name=code.title())
        team = TeamFactory(code=f"{code}-team", region=region)
        w[code] = {
            "region": region,
            "team": team,
            "fca": UserFactory(username=f"fca-{code}", team=team, roles=["practitioner"]),
        }
    w["north"]["auditors"] = [
        UserFactory(username=f"aud-north-{i}", team=w["north"]["team"], roles=["auditor"]) for i in (1, 2)
    ]
    w["south"]["auditors"] = [UserFactory(username="aud-south-1", team=w["south"]["team"], roles=["auditor"])]
    w["west"]["auditors"] = [UserFactory(username="aud-west-1", team=w["west"]["team"], roles=["auditor"])]
    w["template"] = AuditTemplateFactory(slug="domestic-abuse", name="Domestic abuse")
    return w


def case_in(world, code, ref, **facts):
    place = world[code]
    facts.setdefault("practitioner", place["fca"])
    facts.setdefault("team", place["team"])
    facts.setdefault("received_on", datetime.date(2025, 9, 1))
    return CaseFactory(reference=ref, **facts)


def define(
    world, *, regions=("north", "south"), size=None, share=None, filters=None, seed=7, reaudit_of=None, name="P"
):
    return programme_create(
        by=None,
        regions=[world[c]["region"] for c in regions],
        name=name,
        theme="Domestic abuse",
        template=world["template"],
        size=size,
        share=share,
        filters=filters or {},
        seed=seed,
        window_start=WINDOW[0],
        window_end=WINDOW[1],
        due_on=datetime.date(2026, 9, 30),
        reaudit_of=reaudit_of,
    )


def drawn_refs(programme):
    return sorted(p.case.reference for p in programme_draw(programme=programme, today=TODAY).picks)


# ---- filters: each against a caseload where some cases match and some do not -----------------


def _facts_caseload(world):
    """Cases whose facts differ one at a time from a plain private child-arrangements case."""
    case_in(world, "north", "PLAIN")
    case_in(world, "north", "PUBLIC", law_type="public", application_type="s31_care")
    case_in(world, "north", "S7", application_type="section_7")
    case_in(world, "north", "DA", domestic_abuse_alleged=True)
    case_in(world, "north", "CLOSED-IN", closed_on=datetime.date(2026, 1, 15))
    case_in(world, "north", "OTHER-TEAM", team=TeamFactory(code="north-b", region=world["north"]["region"]))
    kids = case_in(world, "south", "KIDS")
    ChildFactory(case=kids, label="Child A", age_band="0", ethnicity="Roma", disability="Autism", religion="Muslim")
    ChildFactory(case=kids, label="Child B", age_band="10-14", gender_identity="Non-binary")
    plain_kid = case_in(world, "south", "PLAIN-KID")
    ChildFactory(case=plain_kid, label="Child A", age_band="5-9")


ALL = ["CLOSED-IN", "DA", "KIDS", "OTHER-TEAM", "PLAIN", "PLAIN-KID", "PUBLIC", "S7"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ALL),
        ({"law_type": "public"}, ["PUBLIC"]),
        ({"law_type": "private"}, [r for r in ALL if r != "PUBLIC"]),
        ({"application_type": "section_7"}, ["S7"]),
        ({"domestic_abuse": "yes"}, ["DA"]),
        ({"domestic_abuse": "no"}, [r for r in ALL if r != "DA"]),
        ({"closed_in_window": "yes"}, ["CLOSED-IN"]),
        ({"closed_in_window": "no"}, [r for r in ALL if r != "CLOSED-IN"]),
        ({"team": "north-b"}, ["OTHER-TEAM"]),
        ({"child_age_band": "0"}, ["KIDS"]),
        ({"child_age_band": "5-9"}, ["PLAIN-KID"]),
        ({"child_ethnicity": "roma"}, ["KIDS"]),
        ({"child_disability": "any"}, ["KIDS"]),
        ({"child_religion": "Muslim"}, ["KIDS"]),
        ({"child_gender_identity": "Non-binary"}, ["KIDS"]),
        (
            {"domestic_abuse": "no", "law_type": "private", "application_type": "child_arrangements"},
            ["CLOSED-IN", "KIDS", "OTHER-TEAM", "PLAIN", "PLAIN-KID"],
        ),
    ],
)
def test_every_filter_is_honoured(world, filters, expected):
    _facts_caseload(world)
    programme = define(world, size=100, filters=filters)
    assert drawn_refs(programme) == sorted(expected)


def test_unknown_filters_and_bad_values_are_refused_with_every_reason(world):
    with pytest.raises(ValidationError) as error:
        define(world, size=1, filters={"colour": "red", "law_type": "civil", "domestic_abuse": "maybe"})
    text = " ".join(error.value.messages)
    assert "unknown filter 'colour'" in text and "'civil' is not a law_type" in text and "'maybe'" in text
    assert not Programme.objects.exists()


def test_cases_outside_the_window_and_the_scope_are_not_eligible(world):
    case_in(world, "north", "IN")
    case_in(world, "west", "WEST")  # region not in scope
    case_in(world, "north", "LATE", received_on=datetime.date(2026, 7, 1))  # received after the window
    case_in(world, "north", "EARLY-CLOSED", received_on=datetime.date(2025, 1, 1), closed_on=datetime.date(2025, 6, 1))
    assert drawn_refs(define(world, size=10)) == ["IN"]
    assert drawn_refs(define(world, size=10, regions=(), name="national")) == ["IN", "WEST"]


# ---- size and strata --------------------------------------------------------------------------


def _regional_caseload(world, north=6, south=3):
    for i in range(north):
        case_in(world, "north", f"N{i:02d}")
    for i in range(south):
        case_in(world, "south", f"S{i:02d}")


def test_size_is_drawn_and_split_by_largest_remainder(world):
    # 6 north, 3 south eligible; size 4 -> quotas 4*6/9 = 2.67 and 4*3/9 = 1.33: whole parts 2 and 1,
    # the one left over goes to the larger remainder (north 0.67): north 3, south 1.
    _regional_caseload(world)
    picks = programme_draw(programme=define(world, size=4), today=TODAY).picks
    assert len(picks) == 4
    assert Counter(p.case.region.code for p in picks) == {"north": 3, "south": 1}


def test_a_share_of_eligible_cases_rounds_half_up(world):
    _regional_caseload(world)  # 9 eligible; 0.5 of 9 = 4.5 -> 5; north 5*6/9=3.33, south 1.67 -> 3 and 2
    picks = programme_draw(programme=define(world, share="0.5"), today=TODAY).picks
    assert len(picks) == 5
    assert Counter(p.case.region.code for p in picks) == {"north": 3, "south": 2}


def test_size_larger_than_the_caseload_takes_every_eligible_case(world):
    _regional_caseload(world, north=2, south=1)
    draw = programme_draw(programme=define(world, size=50), today=TODAY)
    assert (draw.size, len(draw.picks)) == (3, 3)


def test_hamilton_shares():
    assert hamilton(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}  # tie on remainders: by key
    assert hamilton(0, {"a": 5}) == {"a": 0}
    assert hamilton(3, {"a": 0, "b": 0}) == {"a": 0, "b": 0}


# ---- auditors ----------------------------------------------------------------------------------


def test_auditor_is_in_the_region_and_never_allocated_to_the_case(world):
    north_auditor = world["north"]["auditors"][0]
    north_auditor.groups.add(*world["north"]["fca"].groups.all())  # also a practitioner
    case_in(world, "north", "OWN", practitioner=north_auditor)
    _regional_caseload(world, north=3, south=2)
    picks = programme_draw(programme=define(world, size=100), today=TODAY).picks
    for pick in picks:
        assert pick.auditor.region_id == pick.case.region_id
        assert pick.auditor.pk != pick.case.practitioner_id
    own = next(p for p in picks if p.case.reference == "OWN")
    assert own.auditor == world["north"]["auditors"][1]


def test_a_case_with_no_eligible_auditor_is_passed_over_and_the_region_reported_short(world):
    only = world["south"]["auditors"][0]
    case_in(world, "south", "ONLY-OWN", practitioner=only)
    draw = programme_draw(programme=define(world, regions=("south",), size=1), today=TODAY)
    assert draw.picks == []
    assert [c.reference for c in draw.strata[0].passed_over] == ["ONLY-OWN"]
    assert draw.short == 1


def test_load_is_balanced_counting_open_audits(world):
    busy, free = world["north"]["auditors"]
    for i in range(2):  # busy already has two open audits (of cases in west, so not drawable here)
        AuditFactory(case=case_in(world, "west", f"W{i}"), auditor=busy)
    _regional_caseload(world, north=4, south=0)
    picks = programme_draw(programme=define(world, size=4, regions=("north",)), today=TODAY).picks
    # Loads start 2 and 0; four more go out one at a time to the least loaded: ends 3 and 3.
    assert Counter(p.auditor.username for p in picks) == {free.username: 3, busy.username: 1}


# ---- recent and open audits --------------------------------------------------------------------


def test_no_case_audited_in_the_last_six_months_unless_a_reaudit(world):
    auditor = world["north"]["auditors"][0]
    recent = case_in(world, "north", "RECENT")
    CompletedAuditFactory(case=recent, auditor=auditor, completed_on=datetime.date(2026, 1, 1))  # within 6 months
    older = case_in(world, "north", "OLDER")
    CompletedAuditFactory(case=older, auditor=auditor, completed_on=datetime.date(2025, 12, 29))  # just over
    busy = case_in(world, "north", "OPEN")
    AuditFactory(case=busy, auditor=auditor, status=AuditStatus.IN_PROGRESS)
    first = define(world, size=10, name="first")
    assert drawn_refs(first) == ["OLDER"]
    assert drawn_refs(define(world, size=10, name="again", reaudit_of=first)) == ["OLDER", "RECENT"]


def test_six_months_before_is_calendar_months():
    assert months_before(datetime.date(2026, 6, 30), 6) == datetime.date(2025, 12, 30)
    assert months_before(datetime.date(2026, 8, 31), 6) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 3, 15), 6) == datetime.date(2025, 9, 15)


# ---- seeds ---------------------------------------------------------------------------------------


def test_same_seed_same_draw_and_seeds_differ(world):
    _regional_caseload(world, north=12, south=8)
    first = [
        (p.case.reference, p.auditor.username)
        for p in programme_draw(programme=define(world, size=6, seed=3), today=TODAY).picks
    ]
    again = [
        (p.case.reference, p.auditor.username)
        for p in programme_draw(programme=define(world, size=6, seed=3, name="again"), today=TODAY).picks
    ]
    assert first == again
    others = {tuple(drawn_refs(define(world, size=6, seed=s, name=f"seed-{s}"))) for s in range(10, 15)}
    assert len(others) > 1


# ---- confirm and the command -----------------------------------------------------------------------


def test_confirm_creates_the_programme_audits_once(world):
    _regional_caseload(world, north=3, south=2)
    programme = define(world, size=3)
    draw, created = programme_confirm(programme=programme, by=None, today=TODAY)
    audits = Audit.objects.filter(programme=programme)
    assert sorted(a.case.reference for a in audits) == sorted(p.case.reference for p in draw.picks)
    assert all(a.status == AuditStatus.SCHEDULED and a.due_on == datetime.date(2026, 9, 30) for a in audits)
    with pytest.raises(ValidationError):
        programme_confirm(programme=programme, by=None, today=TODAY)
    assert audits.count() == 3


def test_confirm_refuses_when_the_draw_changed_after_the_preview(world):
    _regional_caseload(world, north=3, south=2)
    programme = define(world, size=3)
    preview = programme_draw(programme=programme, today=TODAY)
    case_in(world, "north", "N-NEW")  # the caseload changes before the confirmation
    with pytest.raises(ValidationError, match="changed after the preview"):
        programme_confirm(programme=programme, by=None, today=TODAY, fingerprint=preview.fingerprint)
    assert not Audit.objects.exists()
    assert Programme.objects.get(pk=programme.pk).confirmed_at is None


def _command(*args):
    out = io.StringIO()
    call_command("draw_programme", *args, stdout=out)
    return out.getvalue()


def test_command_draws_then_is_idempotent_by_name(world):
    _regional_caseload(world, north=6, south=3)
    args = [
        "--name",
        "DA 2026",
        "--template",
        "domestic-abuse",
        "--size",
        "4",
        "--region",
        "north",
        "--region",
        "south",
        "--seed",
        "5",
        "--from",
        "2025-07-01",
        "--to",
        "2026-06-30",
    ]
    first = _command(*args)
    assert "Drew 4 of 9 eligible" in first
    assert Audit.objects.filter(programme__name="DA 2026").count() == 4
    second = _command(*args)
    assert "already drawn" in second
    assert Audit.objects.count() == 4


def test_command_dry_run_changes_nothing_and_matches_the_real_draw(world):
    _regional_caseload(world, north=6, south=3)
    args = [
        "--name",
        "DA",
        "--template",
        "domestic-abuse",
        "--size",
        "4",
        "--seed",
        "9",
        "--filter",
        "law_type=private",
    ]
    dry = _command(*args, "--dry-run")
    assert "Would draw 4" in dry
    assert not Programme.objects.exists() and not Audit.objects.exists()
    real = _command(*args)
    refs = lambda text: sorted(line.split()[0] for line in text.splitlines() if line.startswith("    "))  # noqa: E731
    assert refs(dry) == refs(real) == sorted(Audit.objects.values_list("case__reference", flat=True))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--filter", "colour=red"], "unknown filter 'colour'"),
        (["--filter", "law_type"], "is not KEY=VALUE"),
        (["--region", "nowhere"], "unknown region code(s): nowhere"),
    ],
)
def test_command_bad_input_is_a_clear_error(world, extra, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _command("--name", "X", "--template", "domestic-abuse", "--size", "2", *extra)
    assert not Programme.objects.exists()


def test_command_unknown_template(world):
    with pytest.raises(CommandError, match="unknown audit template 'nope'"):
        _command("--name", "X", "--template", "nope", "--size", "2")


def test_command_with_nothing_eligible_creates_nothing(world):
    with pytest.raises(CommandError, match="No case is eligible"):
        _command("--name", "Empty", "--template", "domestic-abuse", "--size", "3", "--filter", "law_type=public")
    assert not Programme.objects.exists()


def test_a_reaudit_must_share_the_theme(world):
    first = define(world, size=1, name="first")
    with pytest.raises(ValidationError, match="same theme"):
        programme_create(
            by=None,
            name="other",
            theme="Diversity",
            template=world["template"],
            size=1,
            window_start=WINDOW[0],
            window_end=WINDOW[1],
            due_on=datetime.date(2026, 9, 30),
            reaudit_of=first,
        )


def test_command_without_a_window_takes_cases_closed_long_ago(world):
    case_in(world, "north", "OLD-CLOSED", received_on=datetime.date(2019, 1, 1), closed_on=datetime.date(2019, 6, 1))
    case_in(world, "north", "OPEN")
    out = _command("--name", "All time", "--template", "domestic-abuse", "--size", "10", "--region", "north")
    assert "Drew 2 of 2 eligible" in out
