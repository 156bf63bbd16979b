"""Closing a case from its page: the allocated practitioner, the region's service managers or a
quality admin record the closed date; the close is announced (`case_closed`) for others to act on."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone

from organisation import visibility

from .models import Case
from .selectors import get_case_for
from .signals import case_closed, case_dates_changed


class CloseCaseForm(forms.Form):
    closed_on = forms.DateField(label="Date the case closed", widget=forms.DateInput(attrs={"type": "date"}))

    def clean_closed_on(self):
        day = self.cleaned_data["closed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date the case closed cannot be in the future.")
        return day


@transaction.atomic
def case_close(*, case: Case, closed_on: datetime.date) -> Case:
    # Lock the row: two people closing at once must not both announce the close.
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.closed_on is not None:
        raise ValidationError({"closed_on": f"This case is already closed (on {case.closed_on:%-d %B %Y})."})
    case.closed_on = closed_on
    case.full_clean()
    case.save(update_fields=["closed_on"])
    transaction.on_commit(lambda: case_dates_changed.send(sender=Case, case=case, old_region_id=None))
    transaction.on_commit(lambda: case_closed.send(sender=Case, case=case))
    return case


def case_close_view(request, reference):
    case = get_case_for(request.user, reference)
    visibility.require(visibility.can_close_case(request.user, case))
    form = CloseCaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case_close(case=case, closed_on=form.cleaned_data["closed_on"])
        except ValidationError as exc:
            for message in exc.message_dict.get("closed_on", []) + exc.message_dict.get("__all__", []):
                form.add_error("closed_on", message)
        else:
            messages.success(request, "Case closed. Any feedback links to hand over are listed on the case.")
            return redirect("cases:detail", case.reference)
    return render(request, "cases/close.html", {"case": case, "form": form})
