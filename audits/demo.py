"""Demo audits: a year of completed audits over the demo caseload, and some open ones (demo only).

Runs after cases/demo.py. About 8 completed audits per practitioner over the last 12
months, each by an auditor of the same region who is never the case's practitioner (two
`auditor-<region>-<n>` people per region, plus the demo `auditor` in his region). The
national grade mix follows the seeds' self-assessment (about 8% outstanding, 55% good,
30% meets the standard, 7% requires improvement) with regional differences that cancel
out nationally; about half the audits include family feedback. Every completed audit
has judgements on the shipped `standard` template consistent with its grade (the
grading rule's suggestion equals the grade), some have learning actions, and each case
keeps its latest grade. The demo `auditor` gets a few scheduled and in-progress audits
(one overdue), every other demo auditor two in progress and one scheduled. Idempotent: nothing is added when
demo audits exist. Everything goes in with bulk_create (with history rows).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.contrib.auth.models import Group
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cases.demo import PREFIX
from cases.models import Case
from organisation.models import Region, Team, User
from organisation.roles import Role

from .models import (
    Audit,
    AuditStatus,
    AuditTemplate,
    CriterionKind,
    Grade,
    Judgement,
    LearningAction,
    LearningActionStatus,
    Moderation,
)
from .services.grading import applicable_criteria, suggested_grade
from .services.moderation import moderation_draw, moderation_record
from .services.workflow import JudgementInput

DEMO_AUDITOR = "auditor"  # made by organisation.demo, with a password
AUDITORS_PER_REGION = 2
AUDITS_PER_PRACTITIONER = (7, 9)  # "at least 8 a year": most get 8
FAMILY_FEEDBACK_SHARE = 0.5
BATCH = 1000

# National mix (percent) from the seeds' self-assessment.
OUTSTANDING, GOOD, MEETS, REQUIRES_IMPROVEMENT = 8.0, 55.0, 30.0, 7.0
GOOD_OR_BETTER = OUTSTANDING + GOOD
# Points added to a region's "good or better" share before centring (so the national
# figure stays on target): some regions do better than others.
REGION_OFFSETS = {
    "north-east": 6,
    "north-west": -5,
    "yorkshire": 2,
    "east-midlands": -7,
    "west-midlands": -3,
    "east": 4,
    "london": -6,
    "south-east": 5,
    "south-west": 8,
    "wales": -4,
}

EVIDENCE = {
    Grade.OUTSTANDING: [
        "Exceptional, child-centred work: the record shows the child's voice shaping the plan throughout.",
        "A model of clear analysis; the reasoning is easy to follow and rooted in evidence.",
    ],
    Grade.GOOD: [
        "Clear and well evidenced; the child's experience is at the centre of the work.",
        "Sound work with a clear rationale; minor gaps in the recording only.",
        "Evidence is there and well used; the recommendation follows from it.",
    ],
    Grade.MEETS_STANDARD: [
        "Adequate: the essentials are done, but the analysis could go further.",
        "Meets expectations; the record is thin in places and the reasoning is partly implicit.",
    ],
    Grade.REQUIRES_IMPROVEMENT: [
        "Not evidenced in the file; this needs attention before the next hearing.",
        "Significant gaps: the record does not show how this was considered for the child.",
    ],
}
ACTIONS = [
    "Use an age-appropriate direct-work tool with the child and record what they said in their own words.",
    "Write to the child after the hearing explaining the outcome and what happens next.",
    "Set out how the child's identity and needs shape the recommendation, not only list them.",
    "Record the day 10 case plan review and any advice acted on.",
    "Screen for domestic abuse explicitly and record the outcome of the screening.",
    "Discuss the analysis section in supervision and agree one change to your reports.",
]


def _region_mixes(audits_per_region: dict[str, int]) -> dict[str, dict[int, float]]:
    """Each region's grade shares: the national mix shifted by its offset, offsets centred on zero."""
    total = sum(audits_per_region.values()) or 1
    mean = sum(REGION_OFFSETS.get(code, 0) * n for code, n in audits_per_region.items()) / total
    mixes = {}
    for code in audits_per_region:
        offset = REGION_OFFSETS.get(code, 0) - mean
        gob = GOOD_OR_BETTER + offset
        ri = max(1.0, REQUIRES_IMPROVEMENT - 0.4 * offset)
        outstanding = gob * OUTSTANDING / GOOD_OR_BETTER
        mixes[code] = {
            Grade.OUTSTANDING: outstanding,
            Grade.GOOD: gob - outstanding,
            Grade.MEETS_STANDARD: 100.0 - gob - ri,
            Grade.REQUIRES_IMPROVEMENT: ri,
        }
    return mixes


def _quota(n: int, mix: dict[int, float], rng) -> list[int]:
    """n grades in the mix's proportions (largest remainder), shuffled: no sampling noise."""
    exact = {grade: n * share / 100.0 for grade, share in mix.items()}
    counts = {grade: int(value) for grade, value in exact.items()}
    left = n - sum(counts.values())
    for grade in sorted(exact, key=lambda g: exact[g] - counts[g], reverse=True)[:left]:
        counts[grade] += 1
    grades = [grade for grade, count in counts.items() for _ in range(count)]
    rng.shuffle(grades)
    return grades


def _criterion_grades(rng, grade: int, graded: list, capped: bool) -> dict[int, int]:
    """Grades per graded criterion such that the grading rule suggests `grade`.

    Uncapped: the lower median of the grades is `grade`, and no limiting criterion is
    graded Requires improvement. Capped (a Requires improvement audit of otherwise
    adequate work): the rest sits around Meets standard and one limiting criterion is
    Requires improvement, which caps the suggestion.
    """
    target = Grade.MEETS_STANDARD if capped else grade
    grades = {}
    for criterion in graded:
        roll = rng.random()
        value = target if roll < 0.6 else target + (1 if roll < 0.8 else -1)
        grades[criterion.pk] = min(Grade.OUTSTANDING, max(Grade.REQUIRES_IMPROVEMENT, value))
    limiting = [c.pk for c in graded if c.limiting]
    free = [c.pk for c in graded if not c.limiting]
    for pk in limiting:
        grades[pk] = max(grades[pk], min(target, Grade.MEETS_STANDARD))  # no cap unless we mean one
    for _ in range(len(graded) * 2):
        ordered = sorted(grades.values())
        median = ordered[(len(ordered) - 1) // 2]
        if median == target:
            break
        wrong_side = [pk for pk in free if (grades[pk] < target if median < target else grades[pk] > target)]
        if not wrong_side:
            break
        grades[rng.choice(wrong_side)] = target
    if capped and limiting:
        grades[limiting[0]] = Grade.REQUIRES_IMPROVEMENT
    return grades


def _auditors(rng, regions: list[Region]) -> dict[int, list[User]]:
    """Two demo auditors per region (made if missing) plus any other auditor already there."""
    group = Group.objects.get(name=Role.AUDITOR)
    first_team = {}
    for team in Team.objects.order_by("code"):
        first_team.setdefault(team.region_id, team)
    wanted = []
    for region in regions:
        for n in range(1, AUDITORS_PER_REGION + 1):
            username = f"auditor-{region.code}-{n}"
            team = first_team.get(region.pk)
            wanted.append(
                User(
                    username=username,
                    full_name=f"Demo auditor {n}, {region.name}",
                    email=f"{username}@example.org",
                    region=region,
                    team=team,
                    password="!" + username,  # unusable: these people never sign in
                    email_preference="digest",  # no mail printed for each moderation the demo draws
                )
            )
    User.objects.bulk_create(wanted, ignore_conflicts=True)
    made = list(User.objects.filter(username__in=[u.username for u in wanted]))
    Through = User.groups.through
    Through.objects.bulk_create([Through(user_id=u.pk, group_id=group.pk) for u in made], ignore_conflicts=True)
    by_region: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(groups=group, region__isnull=False, is_active=True).order_by("username"):
        by_region[user.region_id].append(user)
    return by_region


def seed(*, stdout, rng) -> dict:
    if Audit.objects.filter(case__reference__startswith=PREFIX).exists():
        stdout.write(f"  audits: demo audits already present ({Audit.objects.count()} audits)")
        return {}
    template = AuditTemplate.objects.filter(slug="standard", is_current=True).first()
    if template is None:
        stdout.write("  audits: no current 'standard' template (migrate first); no demo audits")
        return {}
    cases = list(
        Case.objects.filter(reference__startswith=PREFIX, practitioner__isnull=False).only(
            "id", "reference", "region_id", "team_id", "practitioner_id", "law_type", "received_on", "closed_on"
        )
    )
    if not cases:
        stdout.write("  audits: no demo cases; no demo audits")
        return {}
    today = timezone.localdate()
    regions = list(Region.objects.order_by("code"))
    region_code = {r.pk: r.code for r in regions}
    auditors = _auditors(rng, regions)
    criteria = list(template.criteria.order_by("order"))

    # -- pick the audited cases: about 8 per practitioner over the last 12 months ---------
    by_practitioner: dict[int, list[Case]] = defaultdict(list)
    for case in cases:
        by_practitioner[case.practitioner_id].append(case)
    year_ago = today - datetime.timedelta(days=364)
    planned = []  # (case, completed_on, auditor)
    for practitioner_id in sorted(by_practitioner):
        pool = [c for c in by_practitioner[practitioner_id] if c.received_on <= today - datetime.timedelta(days=21)]
        if not pool:
            continue
        wanted = rng.randint(*AUDITS_PER_PRACTITIONER)
        chosen = rng.sample(pool, min(wanted, len(pool)))
        for case in chosen:
            start = max(case.received_on + datetime.timedelta(days=14), year_ago)
            span = (today - datetime.timedelta(days=1) - start).days
            completed_on = start + datetime.timedelta(days=rng.randint(0, max(span, 0)))
            candidates = [a for a in auditors.get(case.region_id, []) if a.pk != case.practitioner_id]
            if not candidates:
                continue
            planned.append((case, completed_on, rng.choice(candidates)))

    # -- grades: each region's quota, so the national mix is on target ------------------
    per_region = Counter(region_code[case.region_id] for case, _on, _a in planned)
    mixes = _region_mixes(per_region)
    quotas = {code: _quota(n, mixes[code], rng) for code, n in per_region.items()}

    audits, judgement_sets, action_specs = [], [], []
    for case, completed_on, auditor in planned:
        grade = quotas[region_code[case.region_id]].pop()
        completed_at = timezone.make_aware(
            datetime.datetime.combine(completed_on, datetime.time(rng.randint(9, 17), rng.randint(0, 59)))
        )
        started_at = completed_at - datetime.timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 6))
        feedback = rng.random() < FAMILY_FEEDBACK_SHARE
        applicable = applicable_criteria(criteria, case.law_type)
        graded = [c for c in applicable if c.kind == CriterionKind.GRADED]
        capped = grade == Grade.REQUIRES_IMPROVEMENT and rng.random() < 0.3
        grades = _criterion_grades(rng, grade, graded, capped)
        judgements = []
        for criterion in applicable:
            if criterion.kind == CriterionKind.GRADED:
                value = grades[criterion.pk]
                j = Judgement(criterion=criterion, grade=value, evidence=rng.choice(EVIDENCE[Grade(value)]))
            else:
                answer = feedback if criterion.code == "family-feedback" else rng.random() < (0.6 + 0.1 * grade)
                j = Judgement(
                    criterion=criterion, answer=answer, evidence="Recorded in the case file." if answer else ""
                )
            j._history_user = auditor
            j._history_date = started_at
            judgements.append(j)
        suggestion = suggested_grade(j for j in judgements if j.criterion.kind == CriterionKind.GRADED)
        audit = Audit(
            case_id=case.pk,
            template=template,
            auditor=auditor,
            status=AuditStatus.COMPLETED,
            due_on=completed_on + datetime.timedelta(days=rng.randint(0, 14)),
            created_at=started_at - datetime.timedelta(days=rng.randint(7, 28)),
            started_at=started_at,
            submitted_at=completed_at,
            completed_at=completed_at,
            completed_on=completed_on,
            suggested_grade=suggestion.grade,
            overall_grade=grade,
            final_grade=grade,
            rationale="" if suggestion.grade == grade else "The overall picture differs from the median judgement.",
            family_feedback=feedback,
            region_id=case.region_id,
            team_id=case.team_id,
            practitioner_id=case.practitioner_id,
            last_saved_by=auditor,
            last_saved_at=completed_at,
        )
        audit._history_user = auditor
        audit._history_date = completed_at
        audits.append(audit)
        judgement_sets.append(judgements)
        chance = {Grade.REQUIRES_IMPROVEMENT: 0.7, Grade.MEETS_STANDARD: 0.4, Grade.GOOD: 0.1}.get(grade, 0)
        action_specs.append(rng.random() < chance)

    # The demo practitioner must have an open learning action to mark done.
    demo_practitioner = User.objects.filter(username="practitioner").first()
    if demo_practitioner:
        own = [i for i, a in enumerate(audits) if a.practitioner_id == demo_practitioner.pk]
        if own:
            latest = max(own, key=lambda i: audits[i].completed_on)
            action_specs[latest] = "open"

    audits = bulk_create_with_history(audits, Audit, batch_size=BATCH, default_change_reason="Demo data")
    judgements = []
    for audit, items in zip(audits, judgement_sets, strict=True):
        for j in items:
            j.audit_id = audit.pk
            judgements.append(j)
    bulk_create_with_history(judgements, Judgement, batch_size=BATCH, default_change_reason="Demo data")

    managers = {
        u.region_id: u
        for u in User.objects.filter(groups__name=Role.SERVICE_MANAGER, region__isnull=False).order_by("-username")
    }
    actions = []
    for audit, spec in zip(audits, action_specs, strict=True):
        if not spec:
            continue
        due = audit.completed_on + datetime.timedelta(days=rng.randint(28, 56))
        done = spec is True and due < today and rng.random() < 0.75
        completed_on = min(due - datetime.timedelta(days=rng.randint(0, 10)), today) if done else None
        # Done a while ago: signed off by the region's manager; done lately: waiting for sign-off.
        signed_off = done and completed_on < today - datetime.timedelta(days=SIGN_OFF_WAIT_DAYS)
        status = LearningActionStatus.OPEN
        if done:
            status = LearningActionStatus.SIGNED_OFF if signed_off else LearningActionStatus.DONE
        action = LearningAction(
            audit_id=audit.pk,
            description=rng.choice(ACTIONS),
            due_on=max(due, today + datetime.timedelta(days=14)) if spec == "open" else due,
            status=status,
            completed_on=completed_on,
            done_note=rng.choice(DONE_NOTES) if done else "",
            signed_off_by=managers.get(audit.region_id) if signed_off else None,
            signed_off_at=timezone.make_aware(datetime.datetime.combine(completed_on, datetime.time(16)))
            + datetime.timedelta(days=3)
            if signed_off
            else None,
            created_at=audit.completed_at,
        )
        action._history_user = audit.auditor
        action._history_date = audit.completed_at
        actions.append(action)
    bulk_create_with_history(actions, LearningAction, batch_size=BATCH, default_change_reason="Demo data")

    # Each audited case keeps its latest grade (as completing an audit does).
    latest: dict[int, Audit] = {}
    for audit in audits:
        best = latest.get(audit.case_id)
        if best is None or audit.completed_on >= best.completed_on:
            latest[audit.case_id] = audit
    touched = []
    by_id = {case.pk: case for case in cases}
    for case_id, audit in latest.items():
        case = by_id[case_id]
        case.last_audit_grade, case.last_audited_on = audit.final_grade, audit.completed_on
        touched.append(case)
    Case.objects.bulk_update(touched, ["last_audit_grade", "last_audited_on"], batch_size=BATCH)

    open_audits = _open_audits(rng, today, template, cases, auditors)
    moderated, awaiting = _moderations(rng)
    awaiting += _demo_auditor_moderates()
    gob = sum(1 for a in audits if a.final_grade >= Grade.GOOD)
    stdout.write(
        f"  audits: {len(audits)} completed ({round(100 * gob / max(len(audits), 1))}% good or better), "
        f"{len(judgements)} judgements, {len(actions)} learning actions, {open_audits} open, "
        f"{moderated} moderated and {awaiting} awaiting moderation"
    )
    return {}


MODERATION_SHARE = 0.06
SIGN_OFF_WAIT_DAYS = 21  # demo actions done more recently than this wait for the manager's sign-off
DONE_NOTES = [
    "Discussed in supervision and used on my next two cases.",
    "Completed the training and changed how I record the child's wishes.",
    "Reviewed the practice guidance; my last report shows the change.",
]
MODERATION_AGREES = 0.85  # about the agreement the service reports between auditors and moderators


def _moderated_answers(rng, audit_id: int, agrees: bool) -> list[JudgementInput]:
    """The moderator's answer to each criterion: the auditor's, one grade apart here and there."""
    answers = []
    for j in Judgement.objects.filter(audit_id=audit_id).select_related("criterion"):
        if j.criterion.kind == CriterionKind.YES_NO:
            answers.append(JudgementInput(criterion_id=j.criterion_id, answer=j.answer))
            continue
        grade = j.grade
        if not agrees and rng.random() < 0.3:
            grade = min(Grade.OUTSTANDING, max(Grade.REQUIRES_IMPROVEMENT, grade + rng.choice((-1, 1))))
        note = "" if grade == j.grade else "The evidence recorded does not support this grade."
        answers.append(JudgementInput(criterion_id=j.criterion_id, grade=grade, evidence=note))
    return answers


def _moderations(rng) -> tuple[int, int]:
    """Draw a sample for moderation as the weekly job does; most are graded, a few wait."""
    draw = moderation_draw(share=MODERATION_SHARE, rng=rng)
    done = draw.created[: round(len(draw.created) * 0.8)]
    for moderation in Moderation.objects.filter(pk__in=[m.pk for m in done]).select_related("audit__case", "moderator"):
        grade = moderation.audit.overall_grade
        agrees = rng.random() < MODERATION_AGREES
        if not agrees:
            grade = min(Grade.OUTSTANDING, max(Grade.REQUIRES_IMPROVEMENT, grade + rng.choice((-1, 1))))
        moderation_record(
            moderation=moderation,
            by=moderation.moderator,
            grade=grade,
            notes="" if agrees else "Graded one step apart: see the notes on each question.",
            judgements=_moderated_answers(rng, moderation.audit_id, agrees),
        )
    return len(done), len(draw.created) - len(done)


def _demo_auditor_moderates() -> int:
    """The demo auditor has a moderation waiting (their work list shows it): a recent audit of their
    region by someone else, of a practitioner other than them, not yet sampled."""
    auditor = User.objects.filter(username=DEMO_AUDITOR, region__isnull=False).first()
    if auditor is None or Moderation.objects.filter(moderator=auditor, completed_at__isnull=True).exists():
        return 0
    audit = (
        Audit.objects.filter(status=AuditStatus.COMPLETED, region_id=auditor.region_id, moderation__isnull=True)
        .exclude(auditor=auditor)
        .exclude(practitioner=auditor)
        .order_by("-completed_on", "pk")
        .first()
    )
    if audit is None:
        return 0
    moderation = Moderation(audit=audit, moderator=auditor)
    moderation._history_user = None
    moderation.save()
    return 1


def _open_audits(rng, today, template, cases, auditors) -> int:
    """Scheduled and in-progress audits: 4 for the demo auditor (one overdue), 3 (two in progress) for the others."""
    criteria = list(template.criteria.order_by("order"))
    open_cases = defaultdict(list)
    for case in cases:
        if case.closed_on is None:
            open_cases[case.region_id].append(case)
    audits, drafts = [], []
    for region_id, people in sorted(auditors.items()):
        pool = list(open_cases.get(region_id, []))
        rng.shuffle(pool)
        for auditor in people:
            if auditor.username == DEMO_AUDITOR:
                plan = [(-5, AuditStatus.IN_PROGRESS), (2, AuditStatus.IN_PROGRESS), (9, AuditStatus.SCHEDULED),
                        (16, AuditStatus.SCHEDULED)]  # fmt: skip
            else:
                # Every demo auditor has drafts to come back to, not only the one people sign in as.
                plan = [
                    (rng.randint(1, 20), AuditStatus.IN_PROGRESS),
                    (rng.randint(3, 25), AuditStatus.IN_PROGRESS),
                    (rng.randint(3, 25), AuditStatus.SCHEDULED),
                ]
            for offset, status in plan:
                case = next((c for c in pool if c.practitioner_id != auditor.pk), None)
                if case is None:
                    break
                pool.remove(case)
                created = timezone.now() - datetime.timedelta(days=rng.randint(10, 30))
                audit = Audit(
                    case_id=case.pk,
                    template=template,
                    auditor=auditor,
                    practitioner_id=case.practitioner_id,
                    status=status,
                    due_on=today + datetime.timedelta(days=offset),
                    created_at=created,
                    started_at=created + datetime.timedelta(days=3) if status == AuditStatus.IN_PROGRESS else None,
                )
                audit.copy_from_case(case)
                audit._history_date = created
                audits.append(audit)
                if status == AuditStatus.IN_PROGRESS:
                    # A draft: the first few questions answered, as "save and come back later" leaves it.
                    first = applicable_criteria(criteria, case.law_type)[:3]
                    drafts.append((audit, first))
    audits = bulk_create_with_history(audits, Audit, batch_size=BATCH, default_change_reason="Demo data")
    judgements = []
    for audit, first in drafts:
        for criterion in first:
            if criterion.kind == CriterionKind.GRADED:
                grade = rng.choice([Grade.GOOD, Grade.GOOD, Grade.MEETS_STANDARD, Grade.OUTSTANDING])
                judgements.append(
                    Judgement(audit_id=audit.pk, criterion=criterion, grade=grade, evidence=rng.choice(EVIDENCE[grade]))
                )
            else:
                judgements.append(
                    Judgement(audit_id=audit.pk, criterion=criterion, answer=True, evidence="Seen at home.")
                )
    bulk_create_with_history(judgements, Judgement, batch_size=BATCH, default_change_reason="Demo data")
    return len(audits)
