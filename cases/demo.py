"""Demo caseload: a few thousand synthetic cases and children over the demo teams (demo only).

Proportions follow the self-assessment in the seeds: a little over a third public law
(mostly section 31 care), the rest private law (section 7 reports, child arrangements,
rule 16.4…); 2–4 practitioners per team holding 15–30 active cases each; dates over the
last 18 months tuned so the operational KPIs land in the high nineties (about 99% of
cases allocated, care cases allocated in about one working day, about 98% of section 7
reports filed on time). Idempotent: if the demo references exist, nothing is added.
"""

import datetime

from django.contrib.auth.models import Group
from django.utils import timezone

from organisation.calendar import add_working_days, next_working_day
from organisation.models import Team, User
from organisation.roles import Role

from .models import AgeBand, ApplicationType, Case, Child, LawType

PREFIX = "DEMO-"
DEMO_PRACTITIONER = "practitioner"  # made by organisation.demo, with a password

PUBLIC_SHARE = 0.37
PUBLIC_TYPES = [
    (ApplicationType.S31_CARE, 85),
    (ApplicationType.ADOPTION, 7),
    (ApplicationType.SPECIAL_GUARDIANSHIP, 6),
    (ApplicationType.OTHER, 2),
]
PRIVATE_TYPES = [
    (ApplicationType.SECTION_7, 45),
    (ApplicationType.CHILD_ARRANGEMENTS, 33),
    (ApplicationType.RULE_16_4, 12),
    (ApplicationType.SPECIAL_GUARDIANSHIP, 5),
    (ApplicationType.ADOPTION, 2),
    (ApplicationType.OTHER, 3),
]
# Working days from receipt to allocation of a care case: a mean of about 1.2.
CARE_ALLOCATION_DAYS = [(0, 22), (1, 45), (2, 23), (3, 8), (5, 2)]
PRIVATE_ALLOCATION_DAYS = [(0, 10), (1, 25), (2, 25), (3, 20), (5, 15), (10, 5)]
UNALLOCATED_SHARE = 0.006  # about 99.4% allocated
S7_LATE_SHARE = 0.016  # about 98.4% filed on time

CHILDREN_PER_CASE = [(1, 55), (2, 30), (3, 15)]
AGE_BANDS = [
    (AgeBand.UNDER_1, 8),
    (AgeBand.ONE_TO_4, 24),
    (AgeBand.FIVE_TO_9, 30),
    (AgeBand.TEN_TO_14, 28),
    (AgeBand.FIFTEEN_PLUS, 10),
]
# Census-style categories, including "not recorded" (blank), which practice must chase.
ETHNICITIES = [
    ("White: English, Welsh, Scottish, Northern Irish or British", 62),
    ("White: Irish", 1),
    ("White: Gypsy or Irish Traveller", 1),
    ("White: Other White", 6),
    ("Mixed: White and Black Caribbean", 4),
    ("Mixed: White and Asian", 2),
    ("Mixed: Other mixed background", 3),
    ("Asian or Asian British: Pakistani", 4),
    ("Asian or Asian British: Indian", 2),
    ("Asian or Asian British: Bangladeshi", 2),
    ("Black or Black British: African", 4),
    ("Black or Black British: Caribbean", 2),
    ("Other ethnic group: Arab", 1),
    ("", 6),
]
DISABILITIES = [
    ("None known", 78),
    ("Autism", 6),
    ("Learning disability", 4),
    ("Physical disability", 2),
    ("Mental health condition", 3),
    ("Sensory impairment", 1),
    ("", 6),
]
RELIGIONS = [
    ("No religion", 45),
    ("Christian", 30),
    ("Muslim", 9),
    ("Hindu", 2),
    ("Sikh", 1),
    ("Jewish", 1),
    ("Buddhist", 1),
    ("Prefer not to say", 3),
    ("", 8),
]
GENDER_IDENTITIES = [
    ("Same as sex registered at birth", 88),
    ("Different from sex registered at birth", 2),
    ("Prefer not to say", 3),
    ("", 7),
]


def _pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _practitioners(rng) -> dict[int, list[User]]:
    """2–4 practitioners in every team, the demo `practitioner` among his team's."""
    group = Group.objects.get(name=Role.PRACTITIONER)
    teams = list(Team.objects.select_related("region").order_by("code"))
    wanted = []
    for team in teams:
        for n in range(1, rng.randint(2, 4) + 1):
            username = f"fca-{team.code}-{n}"
            wanted.append(
                User(
                    username=username,
                    full_name=f"Demo practitioner {n}, {team.name}",
                    email=f"{username}@example.org",
                    region=team.region,
                    team=team,
                    password="!" + username,  # unusable: these people never sign in
                )
            )
    User.objects.bulk_create(wanted, ignore_conflicts=True)
    people = list(User.objects.filter(username__in=[u.username for u in wanted] + [DEMO_PRACTITIONER]))
    Through = User.groups.through
    Through.objects.bulk_create([Through(user_id=u.pk, group_id=group.pk) for u in people], ignore_conflicts=True)
    by_team: dict[int, list[User]] = {}
    for user in sorted(people, key=lambda u: u.username):
        if user.team_id:
            by_team.setdefault(user.team_id, []).append(user)
    return by_team


def _dates(rng, today, application_type, law_type, open_case: bool) -> dict:
    care = application_type == ApplicationType.S31_CARE
    if open_case:
        received = today - datetime.timedelta(days=rng.randint(1, 270))
    else:
        received = today - datetime.timedelta(days=rng.randint(150, 540))
    received = next_working_day(received)
    if received > today:
        received = today - datetime.timedelta(days=1)
    allocated = None
    if rng.random() >= UNALLOCATED_SHARE or not open_case:
        days = _pick(rng, CARE_ALLOCATION_DAYS if care else PRIVATE_ALLOCATION_DAYS)
        allocated = add_working_days(received, days)
        if allocated > today:
            allocated = received
    due = filed = closed = None
    if application_type in (ApplicationType.SECTION_7, ApplicationType.RULE_16_4):
        due = received + datetime.timedelta(weeks=rng.randint(10, 14))
        if due <= today or not open_case:
            if rng.random() < S7_LATE_SHARE:
                filed = due + datetime.timedelta(days=rng.randint(1, 10))
            else:
                filed = due - datetime.timedelta(days=rng.randint(0, 7))
            filed = max(filed, received)
            if filed > today:
                filed = None
    if not open_case:
        weeks = rng.randint(26, 50) if law_type == LawType.PUBLIC else rng.randint(12, 24)
        closed = min(received + datetime.timedelta(weeks=weeks), today - datetime.timedelta(days=1))
        closed = max(closed, filed or received, allocated or received)
    return {
        "received_on": received,
        "allocated_on": allocated,
        "report_due_on": due,
        "report_filed_on": filed,
        "closed_on": closed,
    }


def seed(*, stdout, rng) -> dict:
    if Case.objects.filter(reference__startswith=PREFIX).exists():
        stdout.write(f"  cases: demo caseload already present ({Case.objects.count()} cases)")
        return {}
    today = timezone.localdate()
    by_team = _practitioners(rng)
    teams = {t.pk: t for t in Team.objects.filter(pk__in=by_team)}
    cases = []
    number = 0
    for team_id, people in sorted(by_team.items()):
        team = teams[team_id]
        for practitioner in people:
            active = rng.randint(15, 30)
            closed = rng.randint(8, 20)
            for i in range(active + closed):
                open_case = i < active
                public = rng.random() < PUBLIC_SHARE
                law_type = LawType.PUBLIC if public else LawType.PRIVATE
                application_type = _pick(rng, PUBLIC_TYPES if public else PRIVATE_TYPES)
                dates = _dates(rng, today, application_type, law_type, open_case)
                number += 1
                alleged = rng.random() < (0.3 if public else 0.6)
                cases.append(
                    Case(
                        reference=f"{PREFIX}{number:06d}",
                        region_id=team.region_id,
                        team=team,
                        law_type=law_type,
                        application_type=application_type,
                        practitioner=practitioner if dates["allocated_on"] else None,
                        domestic_abuse_alleged=alleged,
                        # About a third of allegations substantiated (no random draw: the rest of
                        # the demo stays as it was).
                        domestic_abuse_substantiated=alleged and number % 3 == 0,
                        **dates,
                    )
                )
    for case in cases:
        case.set_allocation_working_days()  # bulk_create does not call save()
    Case.objects.bulk_create(cases, batch_size=1000)
    ids = dict(Case.objects.filter(reference__startswith=PREFIX).values_list("reference", "pk"))
    children = []
    for case in cases:
        for k in range(_pick(rng, CHILDREN_PER_CASE)):
            children.append(
                Child(
                    case_id=ids[case.reference],
                    label=f"Child {chr(ord('A') + k)}",
                    age_band=_pick(rng, AGE_BANDS),
                    ethnicity=_pick(rng, ETHNICITIES),
                    disability=_pick(rng, DISABILITIES),
                    religion=_pick(rng, RELIGIONS),
                    gender_identity=_pick(rng, GENDER_IDENTITIES),
                )
            )
    Child.objects.bulk_create(children, batch_size=2000)
    practitioners = sum(len(p) for p in by_team.values())
    stdout.write(f"  cases: {len(cases)} cases, {len(children)} children, {practitioners} practitioners")
    return {}
