"""Demo feedback: a year of answers from children, parents, judges and professionals, a few complaints."""

import datetime

from django.utils import timezone

from cases.models import Case

from .models import Channel, Feedback, Kind, Respondent
from .services import set_complaint_deadlines

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
        rows.append(feedback)
    Feedback.objects.bulk_create(rows, batch_size=500)
    stdout.write(f"  feedback: {len(rows)} pieces of feedback")
    return {}
