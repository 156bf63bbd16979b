"""The public pages behind a one-time link (/f/<token>/): no account, their own plain layout,
one question per page where that helps a child, a check-your-answers page before sending.

Answers wait in the person's session until they press Send, so nothing is half-saved; nothing
about the case is ever shown (the link could be opened by anyone who finds it).
"""

import time
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from . import services, throttle
from .forms import NO_ANSWER, AnswersForm, SendForm

UNAVAILABLE = "feedback/public/unavailable.html"


def with_link(view):
    """Load the link's request and its current question set, or say kindly why the link does not work."""

    @wraps(view)
    @never_cache
    def wrapper(request, token, *args, **kwargs):
        if throttle.too_many(request, token, time.time()):
            reason = (
                "There have been too many tries from here in a short time. Please wait a few minutes and try again."
            )
            return render(request, UNAVAILABLE, {"reason": reason, "busy": True}, status=429)
        try:
            link = services.feedback_request_for_token(token)
        except services.LinkUnavailable as exc:
            return render(request, UNAVAILABLE, {"reason": exc.reason}, status=410)
        question_set = services.link_question_set(link)
        questions = list(question_set.questions.all())
        return view(request, token, link, question_set, questions, *args, **kwargs)

    return wrapper


def _key(link) -> str:
    return f"feedback-answers-{link.pk}"


def _stored(request, link, question_set) -> dict:
    stored = request.session.get(_key(link)) or {}
    # Answers given on an older version of the questions (edited while the person answered) are dropped.
    return stored.get("answers", {}) if stored.get("set") == question_set.pk else {}


def _store(request, link, question_set, answers: dict) -> None:
    request.session[_key(link)] = {"set": question_set.pk, "answers": answers}


def _first_page(token, question_set) -> str:
    if question_set.one_question_per_page:
        return reverse("public:question", args=[token, 1])
    return reverse("public:questions", args=[token])


@login_not_required
@with_link
def start(request, token, link, question_set, questions):
    return render(
        request,
        "feedback/public/start.html",
        {"question_set": question_set, "count": len(questions), "first": _first_page(token, question_set)},
    )


@login_not_required
@with_link
def question(request, token, link, question_set, questions, number):
    if not question_set.one_question_per_page or not 1 <= number <= len(questions):
        return redirect("public:start", token)
    current = questions[number - 1]
    answers = _stored(request, link, question_set)
    form = AnswersForm(
        request.POST if request.method == "POST" else None,
        questions=[current],
        require_one=False,
        initial={current.code: answers.get(current.code, "")},
    )
    if request.method == "POST" and form.is_valid():
        answers.pop(current.code, None)
        answers.update(form.answers())
        _store(request, link, question_set, answers)
        if number < len(questions) and "change" not in request.GET:
            return redirect("public:question", token, number + 1)
        return redirect("public:check", token)
    back = reverse("public:question", args=[token, number - 1]) if number > 1 else reverse("public:start", args=[token])
    return render(
        request,
        "feedback/public/question.html",
        {"form": form, "question": current, "number": number, "count": len(questions), "back": back},
    )


@login_not_required
@with_link
def questions_page(request, token, link, question_set, questions):
    if question_set.one_question_per_page:
        return redirect("public:question", token, 1)
    answers = _stored(request, link, question_set)
    form = AnswersForm(request.POST if request.method == "POST" else None, questions=questions, initial=answers)
    if request.method == "POST" and form.is_valid():
        _store(request, link, question_set, form.answers())
        return redirect("public:check", token)
    return render(
        request,
        "feedback/public/questions.html",
        {"form": form, "question_set": question_set, "back": reverse("public:start", args=[token])},
    )


def _change_url(token, question_set, number, question) -> str:
    if question_set.one_question_per_page:
        return reverse("public:question", args=[token, number]) + "?change=1"
    return reverse("public:questions", args=[token]) + f"#id_{question.code}"


@login_not_required
@with_link
def check(request, token, link, question_set, questions):
    answers = _stored(request, link, question_set)
    form = SendForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        if not answers:
            error = NO_ANSWER
        else:
            try:
                services.feedback_submit_via_link(
                    token=token, answers=answers, anonymous=form.cleaned_data["anonymous"]
                )
            except services.LinkUnavailable as exc:
                return render(request, UNAVAILABLE, {"reason": exc.reason}, status=410)
            request.session.pop(_key(link), None)
            return redirect("public:thank_you")
    rows = [
        {
            "question": q,
            "value": answers.get(q.code, ""),
            "label": q.label_for(answers.get(q.code, "")),
            "change": _change_url(token, question_set, number, q),
        }
        for number, q in enumerate(questions, start=1)
    ]
    return render(
        request,
        "feedback/public/check.html",
        {"rows": rows, "form": form, "error": error, "first": _first_page(token, question_set)},
    )


@login_not_required
def thank_you(request):
    return render(request, "feedback/public/thank_you.html")


@login_not_required
def privacy(request):
    return render(request, "feedback/public/privacy.html")


@login_not_required
def accessibility(request):
    return render(request, "feedback/public/accessibility.html")
