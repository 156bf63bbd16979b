"""Complaints for service managers (their region) and quality admins; themes on feedback, theme counts
by region and period, and the printable "you said, we did" page per region."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from organisation import visibility
from organisation.models import Region, User

from . import complaints, selectors
from .forms import ComplaintForm, ThemesForm
from .models import Feedback, YouSaidWeDid
from .views import may_record


def complaint_list(request):
    visibility.require(visibility.can_handle_complaints(request.user))
    today = timezone.localdate()
    show = request.GET.get("show", "open")
    qs = selectors.complaints_for(request.user).select_related("case", "region", "complaint_owner")
    if show == "open":
        qs = qs.filter(responded_on__isnull=True)
    page = Paginator(qs.order_by("respond_by", "pk"), 50).get_page(request.GET.get("page"))
    rows = [selectors.with_next_step(row, today) for row in page]
    return render(request, "feedback/complaints/list.html", {"rows": rows, "page": page, "show": show, "today": today})


def _complaint_for(user, pk) -> Feedback:
    visibility.require(visibility.can_handle_complaints(user))
    return get_object_or_404(selectors.complaints_for(user).select_related("case", "region", "complaint_owner"), pk=pk)


def _owners(complaint):
    # Managers of the complaint's region and quality admins may own it.
    owners = User.objects.filter(visibility.complaint_owner_q(complaint.region_id), is_active=True)
    return owners.distinct().order_by("full_name", "username")


def complaint_detail(request, pk):
    complaint = _complaint_for(request.user, pk)
    initial = {
        "acknowledged_on": complaint.acknowledged_on,
        "responded_on": complaint.responded_on,
        "outcome": complaint.outcome,
        "response": complaint.response,
        "learning_note": complaint.learning_note,
        "owner": complaint.complaint_owner,
    }
    form = ComplaintForm(
        request.POST if request.method == "POST" else None,
        owners=_owners(complaint),
        complaint=complaint,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        complaints.complaint_update(
            complaint=complaint,
            by=request.user,
            complaint_owner=data["owner"],
            **{k: data[k] for k in ("acknowledged_on", "responded_on", "outcome", "response", "learning_note")},
        )
        messages.success(request, "Complaint saved.")
        return redirect("feedback:complaint", complaint.pk)
    answers = complaint.answers.select_related("question").order_by("question__order")
    return render(
        request,
        "feedback/complaints/detail.html",
        {"complaint": complaint, "form": form, "answers": answers, "today": timezone.localdate()},
    )


def feedback_themes(request, pk):
    """Tag one piece of feedback with themes (staff who may record feedback, on feedback they may see)."""
    visibility.require(may_record(request.user))
    feedback = get_object_or_404(visibility.visible_feedback(request.user, Feedback.objects.all()), pk=pk)
    form = ThemesForm(request.POST or None, initial={"themes": list(feedback.themes.all())})
    if request.method == "POST" and form.is_valid():
        complaints.feedback_themes_set(feedback=feedback, themes=form.cleaned_data["themes"])
        messages.success(request, "Themes saved.")
        return redirect("feedback:themes", feedback.pk)
    answers = feedback.answers.select_related("question").order_by("question__order")
    return render(request, "feedback/themes.html", {"feedback": feedback, "form": form, "answers": answers})


def _period(request) -> tuple[datetime.date, datetime.date, str | None]:
    today = timezone.localdate()
    default_from = today.replace(day=1) - datetime.timedelta(days=365)
    try:
        start = datetime.date.fromisoformat(request.GET.get("from") or default_from.isoformat())
        end = datetime.date.fromisoformat(request.GET.get("to") or today.isoformat())
    except ValueError:
        return default_from, today, "Enter dates as YYYY-MM-DD: showing the last 12 months."
    if start > end:
        return default_from, today, "The start date must be before the end date: showing the last 12 months."
    return start, end, None


def theme_counts(request):
    """How often each theme was tagged, per region the person may see, over a period. One query."""
    visibility.require(visibility.can_see_dashboards(request.user) or visibility.can_see_cases(request.user))
    start, end, error = _period(request)
    regions = list(visibility.visible_regions(request.user).order_by("name"))
    counts = (
        Feedback.themes.through.objects.filter(
            feedback__region__in=regions, feedback__received_on__gte=start, feedback__received_on__lte=end
        )
        .values("theme_id", "theme__name", "feedback__region_id")
        .annotate(n=Count("id"))
        .order_by("theme__name")
    )
    table: dict[int, dict] = {}
    for row in counts:
        entry = table.setdefault(row["theme_id"], {"name": row["theme__name"], "by_region": {}, "total": 0})
        entry["by_region"][row["feedback__region_id"]] = row["n"]
        entry["total"] += row["n"]
    rows = [
        {"name": t["name"], "cells": [t["by_region"].get(r.pk, 0) for r in regions], "total": t["total"]}
        for t in table.values()
    ]
    return render(
        request,
        "feedback/theme_counts.html",
        {"rows": rows, "regions": regions, "start": start, "end": end, "error": error},
    )


def you_said_we_did(request, code):
    """A region's "you said, we did" list, printable for waiting rooms: themes and actions only."""
    region = Region.objects.filter(code=code).first()
    if region is None or not visibility.can_see_region(request.user, region):
        raise Http404
    items = YouSaidWeDid.objects.filter(region=region).select_related("theme").order_by("-done_on")[:50]
    return render(request, "feedback/you_said_we_did.html", {"region": region, "items": items})
