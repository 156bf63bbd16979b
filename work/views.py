"""The home page and /my-work/ (a person's work list), the navigation's count, and the account page
where each person chooses which emails they get."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from organisation.models import EmailPreference
from organisation.views import home_context

from .items import work_count, work_list

# The home page shows the soonest HOME_LIMIT of each kind of work, /my-work/ the first 100: a manager
# with a backlog of hundreds saw every one of them on each visit home (300–400 rows of HTML, and
# reading 100 of a region's learning actions means probing ten times as many nationally).
HOME_LIMIT = 25


@require_GET
def home(request):
    context = home_context(request.user)
    context["work"] = work_list(request.user, limit=HOME_LIMIT)
    return render(request, "organisation/home.html", context)


@require_GET
def my_work(request):
    return render(request, "work/my_work.html", {"work": work_list(request.user)})


@require_GET
def my_work_count(request):
    """The navigation's count, fetched by htmx after the page loads (so no page pays for it)."""
    return render(request, "work/_count.html", {"count": work_count(request.user)})


class PreferenceForm(forms.Form):
    email_preference = forms.ChoiceField(
        label="Which emails do you want?",
        choices=EmailPreference.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose which emails you want",
            "invalid_choice": "Choose one of the three options",
        },
    )


@require_http_methods(["GET", "POST"])
def account(request):
    user = request.user
    form = PreferenceForm(request.POST or None, initial={"email_preference": user.email_preference})
    if request.method == "POST":
        if form.is_valid():
            user.email_preference = form.cleaned_data["email_preference"]
            user.save(update_fields=["email_preference"])
            messages.success(request, "Your email choice is saved.")
            return redirect("work:account")
        return render(request, "work/account.html", {"form": form}, status=400)
    return render(request, "work/account.html", {"form": form})
