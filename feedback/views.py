"""Staff feedback pages: the list, recording feedback received another way (on the public questions),
making links and handing them over (copy, printed letter with a QR code, or email)."""

from django.contrib import messages
from django.db.models import Avg, Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from cases.models import Case
from organisation import visibility
from organisation.access_log import Kind as AccessKind
from organisation.access_log import record_views
from organisation.months import MonthError, next_month, parse_month
from organisation.paging import BoundedPaginator

from . import links, services
from .forms import AnswersForm, EmailLinkForm, FeedbackRequestForm, RecordDetailsForm
from .models import Audience, Feedback, FeedbackRequest, HandOver, Kind, QuestionSet, Respondent, Theme


def may_record(user) -> bool:
    """Record feedback and hand over links (the rule: organisation.visibility.may_record_feedback)."""
    return visibility.may_record_feedback(user)


def _drill_filters(request, qs):
    """Region, team, respondent, months received and theme: the filters a dashboard's feedback figure links
    with (the figures count feedback by the region and team copied onto it, by month received).
    A bad value is reported and left out; the rest still apply."""
    shown = {}
    for name, field in (("region", "region__code"), ("team", "team__code")):
        raw = request.GET.get(name, "").strip()
        if raw:
            qs = qs.filter(**{field: raw})
            shown[name.capitalize()] = raw
    respondent = request.GET.get("respondent", "").strip()
    if respondent and respondent not in Respondent.values:
        messages.error(request, "That kind of respondent is not one we know: showing everyone.")
    elif respondent:
        qs = qs.filter(respondent=respondent)
        shown["From"] = Respondent(respondent).label
    months = (("received_from", "received_on__gte", "Received from"), ("received_to", "received_on__lt", "Received to"))
    for name, lookup, label in months:
        raw = request.GET.get(name, "").strip()
        if not raw:
            continue
        try:
            month = parse_month(raw)
        except MonthError:
            messages.error(request, f"“{raw[:20]}” is not a month: enter it as YYYY-MM, for example 2025-06.")
            continue
        if name == "received_to":
            month = next_month(month)
        qs = qs.filter(**{lookup: month})
        shown[label] = raw
    return _theme_filter(request, qs, shown)


def _theme_filter(request, qs, shown: dict):
    """?theme=<id>: feedback tagged with that theme (what a dashboard's theme count links to)."""
    raw = request.GET.get("theme", "").strip()
    if not raw:
        return qs, shown
    name = (
        Theme.objects.filter(pk=int(raw)).values_list("name", flat=True).first()
        if raw.isdigit() and len(raw) < 10
        else None
    )
    if name is None:
        messages.error(request, "That theme is not one we know: showing feedback with any theme or none.")
        return qs, shown
    shown["Theme"] = name
    return qs.filter(themes__id=int(raw)), shown


def feedback_list(request):
    visibility.require(visibility.can_see_cases(request.user))
    qs = visibility.visible_feedback(request.user, Feedback.objects.all())
    kind = request.GET.get("kind", "")
    if kind and kind not in Kind.values:
        messages.error(request, "That kind of feedback is not one we know: showing all kinds.")
        kind = ""
    if kind:
        qs = qs.filter(kind=kind)
    qs, drill = _drill_filters(request, qs)
    # One query for the summary over what the person may see.
    summary = qs.aggregate(
        total=Count("pk"),
        mean_helpfulness=Avg("helpfulness"),
        helped_yes=Count("pk", filter=Q(worker_helped=True)),
        helped_answered=Count("pk", filter=Q(worker_helped__isnull=False)),
        complaints=Count("pk", filter=Q(kind=Kind.COMPLAINT)),
    )
    page = BoundedPaginator(qs.for_list(), 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    # Every feedback on the page, comments and all, goes in the access log: one INSERT.
    shown = [(f.pk, f.case.reference if f.case_id else "") for f in page.object_list]
    record_views(request, AccessKind.FEEDBACK, shown)
    return render(
        request,
        "feedback/list.html",
        {
            "page": page,
            "summary": summary,
            "kind": kind,
            "kinds": Kind.choices,
            "drill": drill,
            "may_record": may_record(request.user),
            "may_handle_complaints": visibility.can_handle_complaints(request.user),
        },
    )


def feedback_record(request):
    """Feedback from paper, phone or in person, on the same questions the public answers: first who gave
    it (which question set), then the details and the answers on one page."""
    visibility.require(may_record(request.user))
    audience = request.GET.get("audience", "")
    if audience not in Audience.values:
        if audience:
            messages.error(request, "Choose who gave the feedback from the list.")
        return render(request, "feedback/record_choose.html", {"audiences": Audience.choices})
    question_set = QuestionSet.objects.prefetch_related("questions").get(slug=audience, is_current=True)
    questions = list(question_set.questions.all())
    cases = visibility.visible_cases(request.user, Case.objects.all())
    data = request.POST if request.method == "POST" else None
    details = RecordDetailsForm(
        data,
        cases=cases,
        initial={
            "case_reference": request.GET.get("case_reference", ""),
            "received_on": timezone.localdate().isoformat(),
        },
    )
    answers = AnswersForm(data, questions=questions)
    if data is not None and details.is_valid() and answers.is_valid():
        fields = {k: details.cleaned_data[k] for k in ("channel", "kind", "received_on", "anonymous")}
        services.feedback_record(
            by=request.user, case=details.case, question_set=question_set, answers=answers.answers(), **fields
        )
        messages.success(request, "Feedback saved.")
        return redirect("feedback:list")
    return render(
        request,
        "feedback/record.html",
        {"details": details, "form": answers, "question_set": question_set, "forms": [details, answers]},
    )


def feedback_request(request, reference):
    """Make a link now, for someone the case-close requests did not cover."""
    visibility.require(may_record(request.user))
    case = get_object_or_404(visibility.visible_cases(request.user, Case.objects.all()), reference=reference)
    form = FeedbackRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        link, token = services.feedback_request_create(
            case=case, audience=form.cleaned_data["audience"], by=request.user
        )
        return _link_made(request, link, token)
    return render(request, "feedback/request.html", {"form": form, "case": case})


def _link_made(request, link, token):
    url = request.build_absolute_uri(f"/f/{token}/")
    return render(
        request, "feedback/request_made.html", {"case": link.case, "link": link, "url": url, "qr": links.qr_svg(url)}
    )


def _request_for(user, pk) -> FeedbackRequest:
    """A feedback request on a case this person may see and record feedback for (404 otherwise)."""
    if not may_record(user):
        raise Http404
    qs = FeedbackRequest.objects.select_related("case").filter(visibility.case_q(user, prefix="case__"))
    return get_object_or_404(qs, pk=pk)


def feedback_hand_over(request, pk):
    """Hand a waiting link over: show it (to copy, or in a letter to print with a QR code) or email it."""
    link = _request_for(request.user, pk)
    if link.used_at is not None:
        messages.info(request, "This person has already answered.")
        return redirect("cases:detail", link.case.reference)
    email_form = EmailLinkForm(request.POST if request.POST.get("how") == HandOver.EMAIL else None)
    if request.method == "POST" and request.POST.get("how") == HandOver.LINK:
        token = services.feedback_request_hand_over(request=link, by=request.user, how=HandOver.LINK)
        return _link_made(request, link, token)
    if request.method == "POST" and email_form.is_valid():
        try:
            links.feedback_request_email(
                request=link,
                by=request.user,
                address=email_form.cleaned_data["email"],
                build_url=lambda token: request.build_absolute_uri(f"/f/{token}/"),
            )
        except links.EmailNotSent as exc:
            email_form.add_error("email", str(exc))
        else:
            messages.success(request, "The link was emailed. We did not keep the address.")
            return redirect("cases:detail", link.case.reference)
    return render(
        request,
        "feedback/hand_over.html",
        {"link": link, "email_form": email_form, "due_on": links.hand_over_due_on(link), "form": email_form},
    )
