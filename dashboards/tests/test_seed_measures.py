"""The seeds' measures on the pages, each computed by hand from hand-built rows: % yes per yes/no
criterion, diversity identified and analysed, feedback by respondent, grades by characteristic with
groups under 5 withheld."""

import csv
import datetime
import io
import random

import pytest
from django.urls import reverse

from audits.models import AuditTemplate, Judgement
from audits.tests.factories import CompletedAuditFactory
from cases.tests.factories import CaseFactory, ChildFactory
from dashboards.models import CharacteristicSnapshot
from dashboards.rollup import rollup_all, rollup_slice
from feedback.tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2025, 6, 9)


def _csv(client, url, table):
    response = client.get(url, {"period": "2025-06", "format": "csv", "table": table})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def standard():
    template = AuditTemplate.objects.get(slug="standard", is_current=True)
    return template, {c.code: c for c in template.criteria.all()}


def test_yes_no_and_diversity_on_the_region_page(client, service_manager, region, team, other_team, standard):
    template, criteria = standard
    rng = random.Random(2)
    counts = {"ne": [0, 0], "all": [0, 0]}
    diverse = {"ne": [], "all": []}
    for t, key in ((team, "ne"), (other_team, "sw")):
        for _ in range(15):
            grade = rng.choice([1, 2, 2, 3, 4])
            # a limiting criterion graded Requires improvement caps the overall grade
            audit = CompletedAuditFactory(
                case__team=t, template=template, completed_on=JUNE, overall_grade=1 if grade == 1 else 3
            )
            answer = rng.choice([True, True, False, None])
            Judgement.objects.create(audit=audit, criterion=criteria["case-plan-day-10"], answer=answer)
            Judgement.objects.create(audit=audit, criterion=criteria["diverse-needs"], grade=grade)
            for scope in {key, "all"} & {"ne", "all"}:
                if answer is not None:
                    counts[scope][0] += answer
                    counts[scope][1] += 1
                diverse[scope].append(grade)
    rollup_all()
    client.force_login(service_manager)
    url = reverse("dashboards:region", args=[region.code])
    row = next(r for r in _csv(client, url, "yes_no") if r["Criterion"] == criteria["case-plan-day-10"].text)
    assert row["North East: yes: numerator"] == str(counts["ne"][0])
    assert row["North East: yes: denominator"] == str(counts["ne"][1])
    assert float(row["North East: yes"]) == round(100 * counts["ne"][0] / counts["ne"][1], 1)
    assert row["National: yes: numerator"] == str(counts["all"][0])
    assert row["National: yes: denominator"] == str(counts["all"][1])

    rows = {r["Scope"]: r for r in _csv(client, url, "diversity")}
    for name, key in (("North East", "ne"), ("National", "all")):
        grades = diverse[key]
        identified = sum(g >= 2 for g in grades)
        good = sum(g >= 3 for g in grades)
        assert rows[name]["Identified: numerator"] == str(identified)
        assert rows[name]["Identified: denominator"] == str(len(grades))
        assert rows[name]["Where identified, good analysis: numerator"] == str(good)
        assert rows[name]["Where identified, good analysis: denominator"] == str(identified)
        assert float(rows[name]["Where identified, good analysis"]) == round(100 * good / identified, 1)


def test_feedback_by_respondent_on_the_team_page(client, service_manager, region, team):
    rng = random.Random(8)
    case = CaseFactory(team=team)
    made = []
    for _ in range(40):
        who = rng.choice(["child", "parent_carer", "judge", "professional"])
        helpfulness, helped, understood = (
            rng.choice([None, *range(11)]),
            rng.choice([None, True, False]),
            rng.choice([None, True, False]),
        )
        FeedbackFactory(
            case=case,
            respondent=who,
            helpfulness=helpfulness,
            worker_helped=helped,
            understood_recommendation=understood,
            received_on=JUNE,
        )
        made.append((who, helpfulness, helped, understood))
    rollup_all()
    client.force_login(service_manager)
    rows = _csv(client, reverse("dashboards:team", args=[region.code, team.code]), "respondents")
    labels = {
        "child": "Children and young people",
        "parent_carer": "Parents and carers",
        "judge": "Judges and magistrates",
        "professional": "Other professionals",
    }
    for who, label in labels.items():
        mine = [m for m in made if m[0] == who]
        row = next(r for r in rows if r["Scope"] == team.name and r["Who"] == label)
        scores = [m[1] for m in mine if m[1] is not None]
        helped = [m[2] for m in mine if m[2] is not None]
        understood = [m[3] for m in mine if m[3] is not None]
        assert row["Feedback received"] == str(len(mine))
        assert row["Answers"] == str(len(scores)) and row["Helpfulness: total"] == str(sum(scores))
        assert row["Said their worker helped: numerator"] == str(sum(helped))
        assert row["Said their worker helped: denominator"] == str(len(helped))
        assert row["Understood the recommendation: numerator"] == str(sum(understood))
        assert row["Understood the recommendation: denominator"] == str(len(understood))


def test_grades_by_characteristic_withhold_groups_under_five(client, service_manager, region, team):
    # White British: 6 audits (4 good or better) shown; Black Caribbean: 4 audits withheld;
    # a case with two children of the same ethnicity counts its audit once.
    grades = {"White British": [3, 3, 4, 3, 2, 1], "Black Caribbean": [3, 3, 3, 3]}
    for ethnicity, gs in grades.items():
        for g in gs:
            case = CaseFactory(team=team)
            ChildFactory(case=case, ethnicity=ethnicity, age_band="5-9")
            ChildFactory(case=case, ethnicity=ethnicity, age_band="10-15")
            CompletedAuditFactory(case=case, overall_grade=g, completed_on=JUNE)
    rollup_all()
    client.force_login(service_manager)
    rows = _csv(client, reverse("dashboards:region", args=[region.code]), "characteristics")
    by = {(r["Characteristic"], r["Group"]): r for r in rows}
    shown = by[("Ethnicity", "White British")]
    assert shown["Audits"] == "6"
    assert shown["Good or better: numerator"] == "4" and shown["Good or better: denominator"] == "6"
    withheld = by[("Ethnicity", "Black Caribbean")]
    assert (
        withheld["Audits"] == "" and withheld["% good or better"] == "" and withheld["Good or better: numerator"] == ""
    )
    # each child's age band: every one of the 10 audits has a child aged 5 to 9 and one aged 10 to 15
    assert by[("Age band", "5-9")]["Audits"] == "10" and by[("Age band", "10-15")]["Audits"] == "10"
    page = client.get(reverse("dashboards:region", args=[region.code]), {"period": "2025-06"}).content.decode()
    assert "Withheld (fewer than 5 audits)" in page


def test_a_slice_roll_up_fills_the_characteristic_and_practitioner_snapshots(team):
    case = CaseFactory(team=team)
    ChildFactory(case=case, ethnicity="Mixed", disability="", gender_identity="Girl")
    audit = CompletedAuditFactory(case=case, overall_grade=4, completed_on=JUNE)
    rollup_slice(region_id=team.region_id, month=JUNE)
    got = {(s.characteristic, s.value): (s.audits, s.good_or_better) for s in CharacteristicSnapshot.objects.all()}
    assert got == {
        ("ethnicity", "Mixed"): (1, 1),
        ("disability", ""): (1, 1),
        ("age_band", "5-9"): (1, 1),
        ("gender", "Girl"): (1, 1),
    }
    from dashboards.models import PractitionerSnapshot

    (row,) = PractitionerSnapshot.objects.all()
    assert (row.practitioner_id, row.audits, row.good_or_better) == (audit.practitioner_id, 1, 1)
