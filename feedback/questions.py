"""Question sets: installing the shipped ones, revising (versioned like audit templates), and
turning answers into the headline figures the dashboards read from Feedback."""

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from .models import Measure, Question, QuestionKind, QuestionSet
from .question_data import SHIPPED

QUESTION_FIELDS = ["code", "order", "text", "hint", "kind", "measure"]

# How each answer feeds a figure. A face: happy = yes / 10, sad = no / 0; "in between" counts
# 5 on the 0-10 scale and as no answer for a yes/no figure (it is neither).
FACE_TO_SCORE = {"happy": 10, "in_between": 5, "sad": 0}
FACE_TO_YES_NO = {"happy": True, "sad": False}
YES_NO = {"yes": True, "no": False}


def question_sets_install_shipped(*, apps=None, using: str = "default", **kwargs) -> int:
    """Install any shipped question set that has no version yet; returns how many (idempotent).

    The data migration does this once; connected to post_migrate it also restores them after a
    database flush (transactional tests), as audits does for its templates."""
    try:
        set_model = apps.get_model("feedback", "QuestionSet") if apps else QuestionSet
        question_model = apps.get_model("feedback", "Question") if apps else Question
    except LookupError:  # migrated back to before the question sets existed
        return 0
    made = 0
    for slug, data in SHIPPED.items():
        if set_model.objects.using(using).filter(slug=slug).exists():
            continue
        qs = set_model.objects.using(using).create(
            slug=slug,
            version=1,
            name=data["name"],
            intro=data["intro"],
            one_question_per_page=data["one_question_per_page"],
            ask_when_case_closes=data["ask_when_case_closes"],
            is_current=True,
        )
        question_model.objects.using(using).bulk_create(
            question_model(question_set=qs, order=i, code=code, kind=kind, measure=measure, text=text, hint=hint)
            for i, (code, kind, measure, text, hint) in enumerate(data["questions"], start=1)
        )
        made += 1
    return made


def question_set_in_use(question_set: QuestionSet) -> bool:
    return question_set.feedback.exists()


def current_question_set(audience: str) -> QuestionSet:
    return QuestionSet.objects.get(slug=audience, is_current=True)


@transaction.atomic
def question_set_revise(*, question_set: QuestionSet, questions: Sequence[dict], **fields) -> QuestionSet:
    """Replace a set's fields and questions. A set no feedback uses is edited in place; a set in use
    is kept as it is and a new current version made, so answers keep the questions they were given on."""
    problems = question_rows_problems(questions)
    if problems:
        raise ValidationError(problems)
    names = ["name", "intro", "one_question_per_page", "ask_when_case_closes"]
    values = {n: fields.get(n, getattr(question_set, n)) for n in names}
    rows = [Question(**{f: row[f] for f in QUESTION_FIELDS}) for row in questions]
    if not question_set_in_use(question_set):
        for name, value in values.items():
            setattr(question_set, name, value)
        question_set.full_clean(validate_constraints=False)
        question_set.save()
        question_set.questions.all().delete()
        target = question_set
    else:
        # Lock every version of this set while we pick the next number: two admins revising at
        # once must not both make "version N+1".
        list(QuestionSet.objects.select_for_update().filter(slug=question_set.slug))
        version = QuestionSet.objects.filter(slug=question_set.slug).aggregate(m=Max("version"))["m"] + 1
        QuestionSet.objects.filter(slug=question_set.slug, is_current=True).update(is_current=False)
        target = QuestionSet(slug=question_set.slug, version=version, is_current=True, **values)
        target.full_clean()
        target.save()
        question_set.is_current = False
    for row in rows:
        row.question_set = target
        row.full_clean(exclude=["question_set"], validate_constraints=False)
    Question.objects.bulk_create(rows)
    return target


def question_rows_problems(rows: Sequence[dict]) -> list[str]:
    """What is wrong across a set's questions: a code or a position used twice, or two questions
    feeding one figure (each figure takes one answer per person)."""
    problems = []
    for field, what in [("code", "code"), ("order", "position"), ("measure", "figure")]:
        values = [row[field] for row in rows if row.get(field) not in (None, "")]
        twice = sorted({str(v) for v in values if values.count(v) > 1})
        if twice:
            problems.append(f"Two questions have the same {what}: {', '.join(twice)}.")
    if not rows:
        problems.append("A question set needs at least one question.")
    return problems


def question_set_rows(question_set: QuestionSet) -> list[dict]:
    return [{f: getattr(q, f) for f in QUESTION_FIELDS} for q in question_set.questions.order_by("order")]


def _measure_value(question: Question, value: str):
    if question.measure == Measure.COMMENTS:
        return value
    if question.kind == QuestionKind.SCALE:
        return int(value)
    if question.kind == QuestionKind.FACES:
        return FACE_TO_SCORE[value] if question.measure == Measure.HELPFULNESS else FACE_TO_YES_NO.get(value)
    return YES_NO.get(value)


def measures_from_answers(questions: Sequence[Question], answers: Mapping[str, str]) -> dict:
    """The Feedback fields (helpfulness, worker_helped, understood_recommendation, comments) from the
    answers to the questions mapped to them; a question left unanswered gives no figure."""
    result = {"helpfulness": None, "worker_helped": None, "understood_recommendation": None, "comments": ""}
    for question in questions:
        value = answers.get(question.code)
        if question.measure and value not in (None, ""):
            result[question.measure] = _measure_value(question, value)
    return result
