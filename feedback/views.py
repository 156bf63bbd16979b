"""Feedback pages: the public one-time form (/f/<token>/), the list, recording, and making links."""

from django.contrib import messages
from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from cases.models import Case
from organisation import visibility
from organisation.paging import BoundedPaginator
from organisation.roles import Role

from . import services
from .forms import FeedbackRecordForm, FeedbackRequestForm, PublicFeedbackForm, yes_no
from .models import Feedback, Kind

STAFF_ROLES = (Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.QUALITY_ADMIN)


def may_record(user) -> bool:
    return visibility.is_admin(user) or (visibility.can_see_cases(user) and user.has_role(*STAFF_ROLES))


@never_cache
def public_form(request, token):
    try:
        link = services.feedback_request_for_token(token)
    except services.LinkUnavailable as exc:
        return render(request, "feedback/link_unavailable.html", {"reason": exc.reason}, status=410)
    form = PublicFeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        answers = services.Answers(
            helpfulness=data.get("helpfulness"),
            worker_helped=yes_no(data.get("worker_helped") or ""),
            understood_recommendation=yes_no(data.get("understood_recommendation") or ""),
            comments=data.get("comments") or "",
            anonymous=bool(data.get("anonymous")),
        )
        try:
            services.feedback_submit_via_link(token=token, answers=answers)
        except services.LinkUnavailable as exc:
            return render(request, "feedback/link_unavailable.html", {"reason": exc.reason}, status=410)
        return render(request, "feedback/thank_you.html")
    return render(request, "feedback/public_form.html", {"form": form, "link": link})


def feedback_list(request):
    visibility.require(visibility.can_see_cases(request.user))
    qs = visibility.visible_feedback(request.user, Feedback.objects.all())
    kind = request.GET.get("kind", "")
    if kind and kind not in Kind.values:
        messages.error(request, "That kind of feedback is not one we know: showing all kinds.")
        kind = ""
    if kind:
        qs = qs.filter(kind=kind)
    # One query for the summary over what the person may see.
    summary = qs.aggregate(
        total=Count("pk"),
        mean_helpfulness=Avg("helpfulness"),
        helped_yes=Count("pk", filter=Q(worker_helped=True)),
        helped_answered=Count("pk", filter=Q(worker_helped__isnull=False)),
        complaints=Count("pk", filter=Q(kind=Kind.COMPLAINT)),
    )
    page = BoundedPaginator(qs.for_list(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/list.html",
        {
            "page": page,
            "summary": summary,
            "kind": kind,
            "kinds": Kind.choices,
            "may_record": may_record(request.user),
        },
    )


def feedback_record(request):
    visibility.require(may_record(request.user))
    cases = visibility.visible_cases(request.user, Case.objects.all())
    form = FeedbackRecordForm(
        request.POST if request.method == "POST" else None, cases=cases, initial=request.GET.dict()
    )
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k in form.Meta.fields}
        fields["worker_helped"] = yes_no(form.cleaned_data.get("worker_helped") or "")
        fields["understood_recommendation"] = yes_no(form.cleaned_data.get("understood_recommendation") or "")
        services.feedback_record(by=request.user, case=form.case, **fields)
        messages.success(request, "Feedback saved.")
        return redirect("feedback:list")
    return render(request, "feedback/record.html", {"form": form})


def feedback_request(request, reference):
    visibility.require(may_record(request.user))
    case = get_object_or_404(visibility.visible_cases(request.user, Case.objects.all()), reference=reference)
    form = FeedbackRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        link, token = services.feedback_request_create(
            case=case, respondent=form.cleaned_data["respondent"], by=request.user
        )
        url = request.build_absolute_uri(f"/f/{token}/")
        return render(request, "feedback/request_made.html", {"case": case, "link": link, "url": url})
    return render(request, "feedback/request.html", {"form": form, "case": case})
