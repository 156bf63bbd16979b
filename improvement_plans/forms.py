"""GOV.UK forms (crispy-forms GDS pack) for editing plans, and the form that checks one CSV line."""

import datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator

from dashboards import selectors as kpis
from organisation import visibility
from organisation.models import Region

from .models import Action, Objective, Plan, ProgressUpdate, Rag, SuccessMeasure

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_HELP = "For example, 2026-03-31"


def _sensible_year(value: datetime.date):
    """Year 1 or 9999 parse as dates but are typing slips; plans run this century."""
    if not 2000 <= value.year <= 2099:
        raise forms.ValidationError("Enter a date between 2000 and 2099, for example 2026-03-31")


def plan_people():
    """People who may own a plan or an action: those who may read plans."""
    roles = [r.value for r in visibility.PLAN_READ_ROLES]
    return get_user_model().objects.filter(Q(groups__name__in=roles) | Q(is_superuser=True), is_active=True).distinct()


class GovukForm(forms.ModelForm):
    submit_label = "Save"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.add_input(Submit("submit", self.submit_label))
        for name, f in self.fields.items():
            if isinstance(f, forms.DateField):
                f.input_formats = DATE_FORMATS
                # Text inputs (GOV.UK pattern): the GDS pack marks only TextInput/Select/Textarea in error.
                f.widget = forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"})
                f.help_text = f.help_text or DATE_HELP
                f.validators = [*f.validators, _sensible_year]
            if isinstance(f, forms.DecimalField | forms.IntegerField):
                mode = "decimal" if isinstance(f, forms.DecimalField) else "numeric"
                f.widget = forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": mode})
            verb = "Choose" if isinstance(f, forms.ChoiceField | forms.ModelChoiceField) else "Enter"
            f.error_messages["required"] = f"{verb} {str(f.label or name).lower()}"
            if name in self.Meta.__dict__.get("radios", ()):
                f.widget = forms.RadioSelect(choices=f.choices)


class PlanForm(GovukForm):
    class Meta:
        model = Plan
        fields = ["title", "purpose", "region", "owner", "owner_text", "review_on", "status"]
        radios = ("status",)
        labels = {"region": "Scope (region)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].empty_label = "National"
        self.fields["owner"].queryset = plan_people()
        self.fields["owner"].required = False

    def clean(self):
        data = super().clean()
        if not data.get("owner") and not (data.get("owner_text") or "").strip():
            self.add_error("owner", "Choose an owner or enter the owner's role")
        return data


class ObjectiveForm(GovukForm):
    class Meta:
        model = Objective
        fields = ["ref", "order", "what", "learning_source"]

    def __init__(self, *args, for_plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan = for_plan
        self.instance.plan = plan

    def clean_ref(self):
        ref = self.cleaned_data["ref"].strip()
        clash = Objective.objects.filter(plan=self.plan, ref=ref).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"Objective {ref} already exists in this plan")
        return ref


class ActionForm(GovukForm):
    class Meta:
        model = Action
        fields = [
            "ref",
            "order",
            "how",
            "owners",
            "owner_roles",
            "due_on",
            "due_phrase",
            "review_on",
            "status",
            "completed_on",
        ]
        radios = ("status",)
        widgets = {"owners": forms.CheckboxSelectMultiple}

    def __init__(self, *args, objective, **kwargs):
        super().__init__(*args, **kwargs)
        self.objective = objective
        self.instance.objective = objective
        self.fields["owners"].queryset = plan_people()

    def clean_ref(self):
        ref = self.cleaned_data["ref"].strip()
        if Action.objects.filter(objective=self.objective, ref=ref).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"Action {ref} already exists under this objective")
        return ref

    def clean(self):
        data = super().clean()
        if not data.get("owners") and not (data.get("owner_roles") or "").strip():
            self.add_error("owner_roles", "Choose a named owner or enter the owners' role")
        # Marking an action complete without a date means it was completed today.
        if data.get("status") == Action.Status.COMPLETE and not data.get("completed_on"):
            data["completed_on"] = timezone.localdate()
            self.instance.completed_on = data["completed_on"]
        return data


class KpiChoiceField(forms.ChoiceField):
    """The KPI select. A criterion key that is not offered (a typing slip in a scripted POST) is
    passed on to SuccessMeasure.clean, which says plainly that no such criterion has been graded."""

    def valid_value(self, value):
        return kpis.is_criterion_kpi(value) or super().valid_value(value)


def kpi_choices(current: str = "") -> list:
    """The registry KPIs, then every graded criterion's % good or better (one query), in optgroups."""
    criteria = [(key, Truncator(text).chars(110)) for key, text in kpis.criterion_kpi_choices()]
    if kpis.is_criterion_kpi(current) and current not in dict(criteria):
        # Bound before its criterion had figures (such as a demo plan): keep it rather than lose it on save.
        criteria.append((current, kpis.kpi_label(current)))
    choices = [("", "Not bound to a KPI"), ("Audit and case KPIs", kpis.KPI_CHOICES)]
    return [*choices, (kpis.CRITERION_KPI_GROUP, criteria)] if criteria else choices


class MeasureForm(GovukForm):
    class Meta:
        model = SuccessMeasure
        fields = [
            "description",
            "objective",
            "order",
            "kpi",
            "scope",
            "region",
            "direction",
            "baseline",
            "baseline_start",
            "baseline_end",
            "target",
            "target_on",
            "current_months",
        ]
        radios = ("scope", "direction")

    def __init__(self, *args, for_plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan = for_plan
        self.fields["objective"].queryset = Objective.objects.filter(plan=plan)
        self.fields["objective"].empty_label = "The whole plan"
        self.fields["region"].queryset = Region.objects.all()
        self.fields["kpi"] = KpiChoiceField(
            label="KPI",
            required=False,
            choices=kpi_choices(self.instance.kpi),
            help_text="A criterion's figure is the share of its gradings that were Good or Outstanding",
        )


class ProgressUpdateForm(GovukForm):
    submit_label = "Add update"
    evidence_url = forms.URLField(
        label="Evidence link", required=False, max_length=500, assume_scheme="https", help_text="Optional"
    )

    class Meta:
        model = ProgressUpdate
        fields = ["on", "narrative", "evidence_url", "rag", "rag_reason"]
        radios = ("rag",)

    def __init__(self, *args, action=None, measure=None, author=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.action = action
        self.instance.measure = measure
        self.instance.author = author
        self.fields["rag"].choices = [("", "No manual RAG (use the computed one)")] + list(Rag.choices)
        self.fields["rag"].required = False
        self.fields["on"].initial = datetime.date.today


class ActionsUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file of actions",
        error_messages={"required": "Choose a CSV file", "empty": "The chosen file is empty"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", "Check the file"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 2_000_000:
            raise forms.ValidationError("The file must be smaller than 2 MB")
        try:
            return f.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file must be UTF-8 text (save it as 'CSV UTF-8')") from None
