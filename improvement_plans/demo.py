"""Demo improvement plans (idempotent): a domestic abuse learning plan and a national plan.

Written in our own words in the shape of the published plans. Dates are set relative to
the day the demo is loaded, so the board always sees some overdue, some due soon and some
complete actions; baselines of bound measures come from the demo's own snapshot figures
where there are any, so the live values have something real to be compared with.
"""

import datetime

from dashboards.selectors import criterion_kpi, kpi_value
from organisation.models import Region, User

from .models import Action, Objective, Plan, ProgressUpdate, SuccessMeasure

DA_TITLE = "Domestic abuse learning and improvement plan"
NATIONAL_TITLE = "National practice improvement plan"
# The standard template's criterion on the impact of domestic abuse on the child (audits/template_data.py).
DA_IMPACT_KPI = criterion_kpi("domestic-abuse-impact")

# (ref, what, where the learning came from, [(ref, how, owner usernames, role phrase, due offset days or None,
#   phrase, review offset, status)])
DA_OBJECTIVES = [
    (
        "1",
        "Make management oversight count in cases touched by domestic abuse",
        "Case file audit reviewed by the learning and improvement board",
        [
            (
                "1.1",
                "Revise the supervision policy so that any recommendation to start or stop a child's time "
                "with a parent after domestic abuse gets a recorded manager check.",
                ["director"],
                "Policy team",
                -120,
                "",
                None,
                "complete",
            ),
            (
                "1.2",
                "Write guidance for managers on spotting and challenging orders that may be unsafe, "
                "including how to escalate.",
                [],
                "Principal social worker and legal team",
                -20,
                "",
                None,
                "in_progress",
            ),
            (
                "1.3",
                "Hold group reflective supervision on contact recommendations so that practice is "
                "consistent across teams.",
                ["manager"],
                "Service managers and practice supervisors",
                14,
                "",
                None,
                "not_started",
            ),
            (
                "1.4",
                "Give every family court adviser a personal learning plan on domestic abuse and review it "
                "in performance conversations.",
                [],
                "Service managers",
                None,
                "Twice a year",
                45,
                "in_progress",
            ),
        ],
    ),
    (
        "2",
        "Strengthen assessment of risk and the explanation of our recommendations",
        "Learning review audit, focus groups with families and young people, and the national harm panel report",
        [
            (
                "2.1",
                "Run the domestic abuse learning programme for all staff, covering patterns of coercive "
                "control, trauma and how to tell abuse apart from high conflict.",
                ["director"],
                "National improvement service",
                -45,
                "",
                None,
                "in_progress",
            ),
            (
                "2.2",
                "Bring in the revised practice pathway with its screening and assessment tools.",
                [],
                "Practice supervisors",
                60,
                "",
                None,
                "in_progress",
            ),
            (
                "2.3",
                "Agree joint working guidance with independent domestic violence advisers.",
                [],
                "Policy team",
                21,
                "",
                None,
                "not_started",
            ),
        ],
    ),
    (
        "3",
        "Hear more from children and families about our work",
        "Learning review audit and the national harm panel report",
        [
            (
                "3.1",
                "Use the family forum to test changes to practice with people who have been through proceedings.",
                [],
                "Family forum co-ordinator",
                90,
                "Ongoing",
                None,
                "in_progress",
            ),
            (
                "3.2",
                "Turn the lessons of complaints and compliments into a quarterly practice bulletin.",
                ["qadmin"],
                "Customer service team",
                -60,
                "",
                None,
                "complete",
            ),
            (
                "3.3",
                "Ask for feedback from families when their case closes and point them to local support.",
                [],
                "Service managers",
                -5,
                "",
                None,
                "not_started",
            ),
        ],
    ),
    (
        "4",
        "Influence the wider family justice system",
        "The national harm panel report and board members' feedback",
        [
            (
                "4.1",
                "Pilot reviews after case closure that bring the professionals, the child and the family "
                "together to reflect on what worked.",
                ["director"],
                "Designated family judges",
                120,
                "",
                None,
                "not_started",
            ),
            (
                "4.2",
                "Improve how we record domestic abuse allegations and findings so researchers can use anonymised data.",
                [],
                "Analytics and IT",
                200,
                "",
                None,
                "in_progress",
            ),
        ],
    ),
]

# (key, label of the area, success measure, kpi or "", direction, target offset from baseline)
NATIONAL_AREAS = [
    (
        "Analysis and reasoning",
        "Clearer analysis and reasons behind every recommendation",
        "More work graded good or better in audit",
        "good_or_better_pct",
        "higher",
        7,
    ),
    (
        "Diverse needs",
        "Better understanding of each child's diverse and unique needs",
        "Every report describes the child's needs and why they matter to our advice",
        "",
        "higher",
        0,
    ),
    (
        "Domestic abuse",
        "Deeper understanding of how domestic abuse affects children",
        "Work with children shows the impact and risk of domestic abuse, and the court is told",
        "",
        "higher",
        0,
    ),
    (
        "Child impact framework",
        "Use the child impact assessment framework to describe every form of harm",
        "The framework is used to explain harm from parental conflict",
        "",
        "higher",
        0,
    ),
    (
        "Recording",
        "Better records of our work with children and of management oversight",
        "Audits informed by family feedback",
        "family_feedback_pct",
        "higher",
        10,
    ),
    (
        "Communication",
        "Explain to children what will happen before and after we meet",
        "Feedback saying the worker helped",
        "feedback_worker_helped_pct",
        "higher",
        5,
    ),
    (
        "Wishes and feelings",
        "Use specialist materials to understand children's wishes and feelings",
        "Wishes and feelings work is strong in every audited case",
        "",
        "higher",
        0,
    ),
    (
        "Management oversight",
        "Show the difference management oversight makes to children",
        "Fewer audits graded requires improvement",
        "requires_improvement_pct",
        "lower",
        -3,
    ),
    (
        "Public law scrutiny",
        "Scrutinise pre-proceedings work and care orders at home",
        "Care cases allocated",
        "care_allocated_pct",
        "higher",
        3,
    ),
    (
        "Timeliness",
        "File section 7 reports on time so that hearings are not delayed",
        "Section 7 reports filed on time",
        "s7_on_time_pct",
        "higher",
        5,
    ),
    (
        "Children's feedback",
        "Write children's feedback into our reports and act on it",
        "Children's feedback appears in reports with what we changed in response",
        "",
        "higher",
        0,
    ),
    (
        "Outstanding practice",
        "Learn from work graded outstanding",
        "More audits graded outstanding",
        "outstanding_pct",
        "higher",
        4,
    ),
]

FALLBACK_BASELINE = {
    "good_or_better_pct": 63,
    "family_feedback_pct": 40,
    "feedback_worker_helped_pct": 80,
    "requires_improvement_pct": 7,
    "care_allocated_pct": 90,
    "s7_on_time_pct": 75,
    "outstanding_pct": 10,
    DA_IMPACT_KPI: 55,
}


def _people():
    return {u.username: u for u in User.objects.filter(username__in=["director", "manager", "qadmin", "board"])}


def _baseline(kpi, *, start, end, region=None):
    """The demo's own figure over the baseline period, else a figure in the shape of the published one."""
    value = kpi_value(kpi, start=start, end=end, region_code=region.code if region else None).value
    return round(value if value is not None else FALLBACK_BASELINE[kpi], 1)


def _measure(
    plan,
    *,
    description,
    objective=None,
    order=0,
    kpi="",
    scope="plan",
    region=None,
    direction="higher",
    offset=0,
    today,
):
    defaults = {"objective": objective, "order": order, "kpi": kpi, "scope": scope, "region": region}
    if kpi:
        start = today.replace(day=1) - datetime.timedelta(days=365)
        end = today.replace(day=1) - datetime.timedelta(days=1) - datetime.timedelta(days=150)
        baseline = _baseline(kpi, start=start, end=end, region=region)
        target = min(100, max(0, baseline + offset))
        defaults |= {
            "baseline": baseline,
            "target": target,
            "direction": direction,
            "baseline_start": start,
            "baseline_end": end,
            "target_on": end + datetime.timedelta(days=540),
        }
    measure, _ = SuccessMeasure.objects.update_or_create(plan=plan, description=description, defaults=defaults)
    return measure


def _update(*, author, narrative, on, action=None, measure=None, rag="", rag_reason=""):
    ProgressUpdate.objects.update_or_create(
        action=action,
        measure=measure,
        narrative=narrative,
        defaults={"author": author, "on": on, "rag": rag, "rag_reason": rag_reason},
    )


def _seed_da(today, people):
    director = people.get("director")
    plan, _ = Plan.objects.update_or_create(
        title=DA_TITLE,
        defaults={
            "purpose": "Steered by a learning and improvement board that includes people with lived experience, "
            "this plan sets out how we will improve our work with children and families in private law "
            "proceedings where there has been domestic abuse. Progress is reported to the board at each "
            "meeting, and a follow-up case file audit will measure the difference made.",
            "region": None,
            "owner": director,
            "owner_text": "Principal social worker",
            "review_on": today + datetime.timedelta(days=150),
            "status": Plan.Status.ACTIVE,
        },
    )
    actions = {}
    for order, (ref, what, source, rows) in enumerate(DA_OBJECTIVES, start=1):
        objective, _ = Objective.objects.update_or_create(
            plan=plan, ref=ref, defaults={"order": order, "what": what, "learning_source": source}
        )
        for a_order, (a_ref, how, usernames, roles, due, phrase, review, status) in enumerate(rows, start=1):
            due_on = today + datetime.timedelta(days=due) if due is not None else None
            action, _ = Action.objects.update_or_create(
                objective=objective,
                ref=a_ref,
                defaults={
                    "order": a_order,
                    "how": how,
                    "owner_roles": roles,
                    "due_on": due_on,
                    "due_phrase": phrase,
                    "review_on": today + datetime.timedelta(days=review) if review is not None else None,
                    "status": status,
                    "completed_on": (due_on or today) - datetime.timedelta(days=7) if status == "complete" else None,
                },
            )
            action.owners.set([people[u] for u in usernames if u in people])
            actions[a_ref] = action
    north_east = Region.objects.filter(code="north-east").first()
    national = _measure(
        plan,
        description="More of our domestic abuse work is graded good or better in audit (national)",
        objective=plan.objectives.get(ref="2"),
        order=1,
        kpi="good_or_better_pct",
        offset=7,
        today=today,
    )
    if north_east:
        _measure(
            plan,
            description="More work in the North East is graded good or better in audit",
            objective=plan.objectives.get(ref="1"),
            order=2,
            kpi="good_or_better_pct",
            scope="region",
            region=north_east,
            offset=8,
            today=today,
        )
        _measure(
            plan,
            description="More North East audits find the impact of domestic abuse on the child assessed good or better",
            objective=plan.objectives.get(ref="2"),
            order=5,
            kpi=DA_IMPACT_KPI,
            scope="region",
            region=north_east,
            offset=10,
            today=today,
        )
    _measure(
        plan,
        description="More audits are informed by what children and families tell us",
        objective=plan.objectives.get(ref="3"),
        order=3,
        kpi="family_feedback_pct",
        offset=10,
        today=today,
    )
    _measure(
        plan,
        description="Practitioners rate their confidence in challenging unsafe orders higher after the programme",
        objective=plan.objectives.get(ref="2"),
        order=4,
        today=today,
    )
    if director:
        _update(
            author=director,
            action=actions["1.2"],
            on=today - datetime.timedelta(days=10),
            narrative="A draft has been shared with legal colleagues; sign-off slipped because of court pressures.",
            rag="amber",
            rag_reason="The draft is written and only sign-off remains, so red overstates the risk.",
        )
        _update(
            author=director,
            action=actions["2.1"],
            on=today - datetime.timedelta(days=3),
            narrative="Seven in ten staff have completed the core modules; the rest are booked.",
        )
        _update(
            author=director,
            action=actions["1.1"],
            on=today - datetime.timedelta(days=120),
            narrative="The revised policy was published and briefed to all managers.",
        )
        _update(
            author=director,
            measure=national,
            on=today - datetime.timedelta(days=7),
            narrative="The grade mix is moving the right way; the next audit round will tell us more.",
        )
    return plan


def _seed_national(today, people):
    director = people.get("director")
    plan, _ = Plan.objects.update_or_create(
        title=NATIONAL_TITLE,
        defaults={
            "purpose": "The areas of practice the board asked us to improve after the last inspection and our own "
            "reviews, each with the measure that will tell us it has worked.",
            "region": None,
            "owner": director,
            "owner_text": "Corporate management team",
            "review_on": today + datetime.timedelta(days=90),
            "status": Plan.Status.ACTIVE,
        },
    )
    first_measure = None
    for order, (key, what, measure_text, kpi, direction, offset) in enumerate(NATIONAL_AREAS, start=1):
        objective, _ = Objective.objects.update_or_create(
            plan=plan,
            ref=str(order),
            defaults={"order": order, "what": what, "learning_source": f"Practice review: {key.lower()}"},
        )
        due = [-30, 10, 75, 160][order % 4]
        status = ["in_progress", "not_started", "in_progress", "complete"][order % 4] if due > 0 else "in_progress"
        due_on = today + datetime.timedelta(days=due)
        Action.objects.update_or_create(
            objective=objective,
            ref=f"{order}.1",
            defaults={
                "order": 1,
                "how": f"Set out what good looks like for '{key.lower()}' and check it in the audit programme.",
                "owner_roles": "Assistant directors",
                "due_on": due_on,
                "status": status,
                "completed_on": today - datetime.timedelta(days=2) if status == "complete" else None,
            },
        )
        measure = _measure(
            plan,
            description=measure_text,
            objective=objective,
            order=order,
            kpi=kpi,
            direction=direction,
            offset=offset,
            scope="plan",
            today=today,
        )
        first_measure = first_measure or measure
    if director and first_measure:
        _update(
            author=director,
            measure=first_measure,
            on=today - datetime.timedelta(days=14),
            narrative="Audit moderation shows analysis is more often explicit about the reasons for advice.",
        )
    return plan


def seed(*, stdout, rng) -> dict:
    today = datetime.date.today()
    people = _people()
    plans = [_seed_da(today, people), _seed_national(today, people)]
    actions = Action.objects.filter(objective__plan__in=plans).count()
    stdout.write(f"  improvement_plans: {len(plans)} plans, {actions} actions")
    return {}
