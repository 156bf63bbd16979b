"""Demo feedback: a year of answers from children, parents, judges and professionals, a few complaints."""

import datetime

from django.utils import timezone

from cases.models import Case
from organisation.models import Region

from .links import feedback_requests_for_closed_case
from .models import Channel, Feedback, Kind, Outcome, Respondent, Theme, YouSaidWeDid
from .services import set_complaint_deadlines

THEMES = {
    "Being listened to": (
        "You told us children did not always feel listened to.",
        "Every child now sees their worker alone at least once, and chooses how: talking, drawing or writing.",
    ),
    "Keeping in touch": (
        "You told us it was hard to reach your worker.",
        "Each family now has a named duty worker and a direct phone number.",
    ),
    "Explaining the recommendation": (
        "You told us the recommendation was hard to follow.",
        "Workers now explain their recommendation in plain words before the hearing.",
    ),
    "Timeliness": ("Courts told us some reports came late.", "Teams now check every report's due date weekly."),
}

COMMENTS = {
    Respondent.CHILD: ["She listened to me.", "I liked drawing the three houses.", "I wish it was quicker.", ""],
    Respondent.PARENT_CARER: [
        "Clear about what would happen next.",
        "I did not feel heard about my worries.",
        "The report was fair to both of us.",
        "",
    ],
    Respondent.JUDGE: ["A well-reasoned analysis.", "Recommendations were clear and child-focused.", ""],
    Respondent.PROFESSIONAL: ["Good joint working with the local authority.", ""],
}


def seed(*, stdout, rng) -> dict:
    if Feedback.objects.exists():
        stdout.write("  feedback: already there")
        return {}
    today = timezone.localdate()
    cases = list(
        Case.objects.filter(received_on__gte=today - datetime.timedelta(days=400)).only(
            "pk", "region_id", "team_id", "practitioner_id"
        )
    )
    rows = []
    for case in rng.sample(cases, k=min(len(cases), 1200)):
        respondent = rng.choices(list(COMMENTS), weights=[35, 45, 10, 10])[0]
        kind = rng.choices([Kind.FEEDBACK, Kind.COMPLIMENT, Kind.COMPLAINT], weights=[85, 10, 5])[0]
        received_on = today - datetime.timedelta(days=rng.randint(0, 364))
        helpfulness = None if kind == Kind.COMPLAINT else min(10, max(0, round(rng.gauss(8, 2))))
        feedback = Feedback(
            respondent=respondent,
            channel=rng.choices([c for c, _ in Channel.choices], weights=[50, 20, 15, 10, 5])[0],
            kind=kind,
            anonymous=rng.random() < 0.1,
            received_on=received_on,
            helpfulness=helpfulness,
            worker_helped=None if kind == Kind.COMPLAINT else rng.random() < 0.88,
            understood_recommendation=rng.random() < 0.8,
            comments=rng.choice(COMMENTS[respondent]),
            case=case,
            region_id=case.region_id,
            team_id=case.team_id,
            practitioner_id=case.practitioner_id,
        )
        if feedback.anonymous:
            feedback.case = None
            feedback.practitioner_id = None
        if kind == Kind.COMPLAINT:
            set_complaint_deadlines(feedback)
            if received_on < today - datetime.timedelta(days=30):
                feedback.acknowledged_on = feedback.acknowledge_by
                feedback.responded_on = feedback.respond_by
                feedback.outcome = rng.choice(Outcome.values)
                feedback.response = "We looked into what happened and wrote to explain what we found."
        rows.append(feedback)
    Feedback.objects.bulk_create(rows, batch_size=500)
    stdout.write(f"  feedback: {len(rows)} pieces of feedback")
    _seed_themes(stdout, rng, today)
    _seed_requests(stdout, today)
    return {}


def _seed_themes(stdout, rng, today) -> None:
    themes = [Theme.objects.get_or_create(name=name)[0] for name in THEMES]
    with_comments = list(Feedback.objects.exclude(comments="").values_list("pk", flat=True)[:300])
    through = Feedback.themes.through
    through.objects.bulk_create(
        [through(feedback_id=pk, theme_id=rng.choice(themes).pk) for pk in with_comments], ignore_conflicts=True
    )
    for region in Region.objects.all():
        for theme in rng.sample(themes, k=2):
            you_said, we_did = THEMES[theme.name]
            YouSaidWeDid.objects.get_or_create(
                region=region,
                theme=theme,
                defaults={"you_said": you_said, "we_did": we_did, "done_on": today - datetime.timedelta(days=60)},
            )
    stdout.write(f"  feedback themes: {len(with_comments)} comments tagged with {len(themes)} themes")


def _seed_requests(stdout, today) -> None:
    """Cases closed in the last fortnight have links waiting for their practitioners to hand over."""
    closed = Case.objects.filter(closed_on__gte=today - datetime.timedelta(days=14)).order_by("pk")[:40]
    made = sum(feedback_requests_for_closed_case(case=case) for case in closed)
    stdout.write(f"  feedback links to hand over: {made}")
