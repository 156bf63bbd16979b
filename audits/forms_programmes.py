"""The form that defines a thematic audit programme (the rules of the draw live in services/programmes.py)."""

from __future__ import annotations

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.utils import timezone

from audits.forms import due_date_error, template_field
from audits.models import Programme
from cases.models import AgeBand, ApplicationType, LawType
from organisation.models import Region

ANY = [("", "Any")]
YES_NO_ANY = [("", "Any"), ("yes", "Yes"), ("no", "No")]
CHILD_TEXT = ("ethnicity", "disability", "religion", "gender_identity")


class ProgrammeForm(forms.Form):
    name = forms.CharField(label="Name", max_length=150, error_messages={"required": "Enter a name for the programme"})
    theme = forms.CharField(
        label="Theme",
        max_length=100,
        help_text="For example, domestic abuse. A re-audit shares the theme of the programme it repeats.",
        error_messages={"required": "Enter the theme"},
    )
    template = template_field()
    regions = forms.ModelMultipleChoiceField(
        queryset=Region.objects.order_by("name"),
        label="Regions",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose none for a national programme.",
        error_messages={"invalid_choice": "Choose regions from the list"},
    )
    window_start = DateInputField(label="Window starts", help_text="Cases open at any time in the window are eligible")
    window_end = DateInputField(label="Window ends", help_text="For example, 31 3 2027")
    size = forms.IntegerField(
        label="Number of case files",
        required=False,
        min_value=1,
        max_value=100000,
        error_messages={"min_value": "The number of case files must be 1 or more", "invalid": "Enter a whole number"},
    )
    share = forms.DecimalField(
        label="Or a percentage of eligible cases",
        required=False,
        min_value=0.1,
        max_value=100,
        decimal_places=1,
        error_messages={
            "min_value": "The percentage must be more than 0",
            "max_value": "The percentage must be 100 or less",
            "invalid": "Enter a percentage, like 10",
        },
    )
    law_type = forms.ChoiceField(label="Law type", choices=ANY + LawType.choices, required=False)
    application_type = forms.ChoiceField(
        label="Application type", choices=ANY + ApplicationType.choices, required=False
    )
    domestic_abuse = forms.ChoiceField(label="Domestic abuse alleged", choices=YES_NO_ANY, required=False)
    closed_in_window = forms.ChoiceField(label="Closed within the window", choices=YES_NO_ANY, required=False)
    child_age_band = forms.ChoiceField(label="A child aged", choices=ANY + AgeBand.choices, required=False)
    child_ethnicity = forms.CharField(label="A child whose ethnicity is", required=False, max_length=60)
    child_disability = forms.CharField(
        label="A child whose disability is", required=False, max_length=60, help_text="Enter ‘any’ for any recorded"
    )
    child_religion = forms.CharField(label="A child whose religion is", required=False, max_length=60)
    child_gender_identity = forms.CharField(label="A child whose gender identity is", required=False, max_length=60)
    due_on = DateInputField(label="Audits due by", help_text="For example, 30 6 2027")
    seed = forms.IntegerField(
        label="Seed",
        min_value=0,
        max_value=2_000_000_000,
        help_text="The same seed and caseload give the same draw.",
        error_messages={"required": "Enter a seed (any whole number)", "invalid": "Enter a whole number"},
    )
    reaudit_of = forms.ModelChoiceField(
        queryset=Programme.objects.filter(confirmed_at__isnull=False).order_by("name"),
        label="Re-audit of",
        required=False,
        empty_label="Not a re-audit",
        help_text="A re-audit may draw cases audited in the last 6 months, and its results show the change.",
    )

    FILTER_FIELDS = ("law_type", "application_type", "domestic_abuse", "closed_in_window", "child_age_band") + tuple(
        f"child_{fact}" for fact in CHILD_TEXT
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.initial.setdefault("seed", int(today.strftime("%Y%m%d")))
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("name", label_size=Size.SMALL),
            Field.text("theme", label_size=Size.SMALL),
            Field.radios("template", legend_size=Size.SMALL),
            Field.checkboxes("regions", legend_size=Size.SMALL, small=True),
            Fieldset(
                Field("window_start", legend_size=Size.SMALL),
                Field("window_end", legend_size=Size.SMALL),
                legend="Window",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("size", field_width=5, label_size=Size.SMALL),
                Field.text("share", field_width=5, label_size=Size.SMALL),
                legend="How many",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                *[Field.select(name, label_size=Size.SMALL) for name in self.FILTER_FIELDS[:5]],
                *[Field.text(name, field_width=20, label_size=Size.SMALL) for name in self.FILTER_FIELDS[5:]],
                legend="Which cases",
                legend_size=Size.MEDIUM,
            ),
            Field("due_on", legend_size=Size.SMALL),
            Field.text("seed", field_width=10, label_size=Size.SMALL),
            Field.select("reaudit_of", label_size=Size.SMALL),
            Submit("submit", "Preview the draw"),
        )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Programme.objects.filter(name=name).exists():
            raise forms.ValidationError(f"A programme called “{name}” already exists: choose another name")
        return name

    def clean(self):
        data = super().clean()
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end < start:
            self.add_error("window_end", "The window must end on or after the day it starts")
        size, share = data.get("size"), data.get("share")
        if size is None and share is None and not self.has_error("size") and not self.has_error("share"):
            self.add_error("size", "Enter a number of case files or a percentage of eligible cases")
        elif size is not None and share is not None:
            self.add_error("share", "Enter a number of case files or a percentage, not both")
        due = data.get("due_on")
        error = due and due_date_error(due, within=(730, "two years"))
        if error:
            self.add_error("due_on", error)
        return data

    def programme_fields(self) -> dict:
        d = self.cleaned_data
        filters = {name: d[name].strip() for name in self.FILTER_FIELDS if (d.get(name) or "").strip()}
        share = d.get("share")
        return {
            "name": d["name"],
            "theme": d["theme"].strip(),
            "template": d["template"],
            "window_start": d["window_start"],
            "window_end": d["window_end"],
            "size": d.get("size"),
            "share": None if share is None else (share / 100).quantize(type(share)("0.001")),
            "filters": filters,
            "seed": d["seed"],
            "due_on": d["due_on"],
            "reaudit_of": d.get("reaudit_of"),
        }
