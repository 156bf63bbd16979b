"""Demo organisation: regions, teams and one demo person for every role (demo only)."""

from django.contrib.auth.models import Group

from .models import Region, Team, User
from .roles import Role

DEMO_PASSWORD = "demo-password-1"  # noqa: S105 (demo data only, printed by seed_demo)

REGIONS = [
    ("north-east", "North East", ["Durham", "Newcastle", "Teesside"]),
    ("north-west", "North West", ["Manchester", "Liverpool", "Lancashire"]),
    ("yorkshire", "Yorkshire and the Humber", ["Leeds", "Sheffield", "Hull"]),
    ("east-midlands", "East Midlands", ["Nottingham", "Leicester"]),
    ("west-midlands", "West Midlands", ["Birmingham", "Coventry", "Stoke"]),
    ("east", "East of England", ["Cambridge", "Norwich", "Chelmsford"]),
    ("london", "London", ["North London", "South London", "East London", "West London"]),
    ("south-east", "South East", ["Kent", "Surrey", "Sussex"]),
    ("south-west", "South West", ["Bristol", "Plymouth", "Exeter"]),
    ("wales", "Wales", ["Cardiff", "Swansea"]),
]

# (username, full name, roles, region code or None, team index or None)
DEMO_PEOPLE = [
    ("practitioner", "Priya Patel", [Role.PRACTITIONER], "north-east", 0),
    ("auditor", "Ada Okafor", [Role.AUDITOR], "north-east", 1),
    ("manager", "Sam Hughes", [Role.SERVICE_MANAGER], "north-east", None),
    ("director", "Alex Morgan", [Role.ASSISTANT_DIRECTOR], None, None),
    ("board", "Bea Lawson", [Role.BOARD_MEMBER], None, None),
    ("qadmin", "Quinn Evans", [Role.QUALITY_ADMIN], None, None),
    ("volunteer", "Vic Ndlovu", [Role.EXTERNAL_MODERATOR], None, None),
]


def team_code(region_code: str, team_name: str) -> str:
    return f"{region_code}-{team_name.lower().replace(' ', '-')}"


def seed(*, stdout, rng) -> dict:
    regions = {}
    for code, name, teams in REGIONS:
        region, _ = Region.objects.update_or_create(code=code, defaults={"name": name})
        regions[code] = region
        for team_name in teams:
            Team.objects.update_or_create(
                code=team_code(code, team_name), defaults={"name": team_name, "region": region}
            )
    groups = {g.name: g for g in Group.objects.all()}
    logins = []
    for username, full_name, roles, region_code, team_index in DEMO_PEOPLE:
        region = regions.get(region_code) if region_code else None
        team = None
        if region and team_index is not None:
            team = Team.objects.filter(region=region).order_by("code")[team_index]
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "email": f"{username}@example.org",
                "region": region,
                "team": team,
                "is_staff": Role.QUALITY_ADMIN in roles,
            },
        )
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.set([groups[r.value] for r in roles])
        logins.append((username, ", ".join(Role(r).label for r in roles), str(region or "national")))
    stdout.write(f"  organisation: {len(regions)} regions, {Team.objects.count()} teams")
    return {"logins": logins}
