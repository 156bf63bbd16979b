"""Forms of calibration sessions: set one up, grade blind, record the agreed grade."""

from __future__ import annotations

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.contrib.auth import get_user_model

from audits.forms import SectionForm, grade_field, long_text_field, template_field
from audits.services.calibration import MAX_AUDITORS, MIN_AUDITORS
from organisation.roles import Role


def calibration_people():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.AUDITOR, Role.EXTERNAL_MODERATOR])
        .select_related("region")
        .distinct()
        .order_by("region__name", "full_name", "username")
    )


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.region.name if obj.region_id else 'no region'})"


class CalibrationCreateForm(forms.Form):
    case_reference = forms.CharField(
        label="Case reference", max_length=30, error_messages={"required": "Enter the reference of the case file"}
    )
    template = template_field()
    auditors = PersonChoiceField(
        queryset=calibration_people(),
        label="Auditors",
        widget=forms.CheckboxSelectMultiple,
        help_text=f"Choose {MIN_AUDITORS} to {MAX_AUDITORS}; they may come from any region.",
        error_messages={"required": f"Choose {MIN_AUDITORS} to {MAX_AUDITORS} auditors"},
    )
    held_on = DateInputField(label="Date of the session", help_text="For example, 27 3 2027")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditors"].queryset = calibration_people()
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("case_reference", field_width=20, label_size=Size.SMALL),
            Field.radios("template", legend_size=Size.SMALL),
            Field.checkboxes("auditors", legend_size=Size.SMALL, small=True),
            Field("held_on", legend_size=Size.SMALL),
            Submit("submit", "Set up the session"),
        )

    def clean_case_reference(self):
        return self.cleaned_data["case_reference"].replace("\x00", "").strip()

    def clean_auditors(self):
        people = self.cleaned_data["auditors"]
        if not MIN_AUDITORS <= len(people) <= MAX_AUDITORS:
            raise forms.ValidationError(f"Choose between {MIN_AUDITORS} and {MAX_AUDITORS} auditors")
        return people


class CalibrationGradeForm(SectionForm):
    """Every applicable question at once, then the overall grade (a session is graded in one go)."""

    overall_grade = grade_field("Overall grade", missing="Select the overall grade", widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, require_all=True, **kwargs)

    def error_links(self):
        links = super().error_links()
        links += [(f"#{self['overall_grade'].auto_id}_1", e) for e in self["overall_grade"].errors]
        return links


class AgreedGradeForm(forms.Form):
    grade = grade_field("Agreed grade", missing="Select the agreed grade", widget=forms.RadioSelect)
    notes = long_text_field("Notes", rows=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("grade", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field.textarea("notes", label_size=Size.SMALL),
            Submit("action", "Record the agreed grade"),
        )
