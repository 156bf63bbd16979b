"""Forms of the grading journey (validation and GOV.UK rendering); the rules live in services."""

from __future__ import annotations

import datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from audits.models import Audit, AuditTemplate, CriterionKind, Grade, Moderation, StaleAudit
from organisation.forms import GovukDateInputField
from organisation.roles import Role

from .services import JudgementInput, ceiling_error, grade_ceiling

GRADE_CHOICES = [(str(value), label) for value, label in reversed(Grade.choices)]  # Outstanding first
YES_NO_CHOICES = [("yes", "Yes"), ("no", "No")]
EVIDENCE_MAX = 5000


def _yes_no(value: str) -> bool:
    return value == "yes"


def due_date_error(value: datetime.date, *, name: str = "The due date", within: tuple[int, str] | None = None):
    """Why a due date is refused, or None: it must be today or later and, with `within`
    (days, in words), no further ahead than that."""
    today = timezone.localdate()
    if value < today:
        return f"{name} must be today or in the future"
    if within and value > today + datetime.timedelta(days=within[0]):
        return f"{name} must be within {within[1]}"
    return None


def clean_due_date(value: datetime.date, **kwargs) -> datetime.date:
    """`due_date_error` for a form's clean_<field>: the date, or the refusal as a ValidationError."""
    error = due_date_error(value, **kwargs)
    if error:
        raise forms.ValidationError(error)
    return value


def grade_field(label: str, *, missing: str, invalid: str = "Select one of the four grades", **kwargs):
    """A choice of the four grades, Outstanding first, coerced to the Grade value; `missing` is
    the message when none is chosen."""
    return forms.TypedChoiceField(
        label=label,
        choices=GRADE_CHOICES,
        coerce=int,
        error_messages={"required": missing, "invalid_choice": invalid},
        **kwargs,
    )


def yes_no_field(label: str, *, missing: str, invalid: str | None = None, **kwargs):
    """A yes/no choice coerced to a bool (without `invalid`, Django's own message for a bad value)."""
    error_messages = {"required": missing} | ({"invalid_choice": invalid} if invalid else {})
    return forms.TypedChoiceField(
        label=label, choices=YES_NO_CHOICES, coerce=_yes_no, error_messages=error_messages, **kwargs
    )


def long_text_field(label: str, *, rows: int, too_long: str | None = None, **kwargs):
    """An optional free text of up to EVIDENCE_MAX characters, as a textarea (`too_long`: its message
    when longer; without it, Django's)."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=EVIDENCE_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": too_long} if too_long else None,
        **kwargs,
    )


def template_field():
    """The current audit templates, as radios (creating an audit, a calibration or a programme)."""
    return forms.ModelChoiceField(
        queryset=AuditTemplate.objects.filter(is_current=True).order_by("name"),
        label="Audit template",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose a template", "invalid_choice": "Choose a template from the list"},
    )


def criterion_answer_field(c, *, missing_grade: str, **kwargs):
    """A criterion's answer: one of the four grades, or yes/no (the messages name the criterion)."""
    if c.kind == CriterionKind.GRADED:
        invalid = f"Select one of the four grades for “{c.text}”"
        return grade_field(c.text, missing=missing_grade, invalid=invalid, **kwargs)
    yes_no = f"Select yes or no for “{c.text}”"
    return yes_no_field(c.text, missing=yes_no, invalid=yes_no, **kwargs)


class CriterionRowsMixin:
    """Per criterion an answer field and a free-text field, named `<prefix><pk>-grade|answer` and
    `<prefix><pk>-<text_name>`; shared by the auditor's section form and the moderator's form."""

    prefix_letter = "c"
    text_name = "evidence"

    def answer_key(self, c) -> str:
        kind = "grade" if c.kind == CriterionKind.GRADED else "answer"
        return f"{self.prefix_letter}{c.pk}-{kind}"

    def text_key(self, c) -> str:
        return f"{self.prefix_letter}{c.pk}-{self.text_name}"

    def field_rows(self):
        """(row, answer field, text field) per criterion, for the template."""
        return [(row, self[self.answer_key(row.criterion)], self[self.text_key(row.criterion)]) for row in self.rows]

    def criterion_error_links(self):
        """(anchor, message) for each criterion's errors, in page order."""
        links = []
        for _row, answer, text in self.field_rows():
            links += [(f"#{answer.auto_id}_1", e) for e in answer.errors]
            links += [(f"#{text.auto_id}", e) for e in text.errors]
        return links

    def judgement_inputs(self) -> list[JudgementInput]:
        inputs = []
        for row in self.rows:
            c = row.criterion
            value = self.cleaned_data.get(self.answer_key(c))
            answer = {"grade": value} if c.kind == CriterionKind.GRADED else {"answer": value}
            inputs.append(
                JudgementInput(criterion_id=c.pk, evidence=self.cleaned_data.get(self.text_key(c), ""), **answer)
            )
        return inputs


class SectionForm(CriterionRowsMixin, forms.Form):
    """One section of an audit: a grade (or yes/no) and evidence per criterion, plus the version.

    Rendered by hand in templates/audits/section.html (a radios group per criterion).
    "Save and continue" needs every question answered; "Save and come back later" keeps a draft.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, rows, require_all: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            c, j = row.criterion, row.judgement
            if c.kind == CriterionKind.GRADED:
                initial = str(j.grade) if j and j.grade is not None else None
            else:
                initial = ("yes" if j.answer else "no") if j and j.answer is not None else None
            self.fields[self.answer_key(c)] = criterion_answer_field(
                c,
                missing_grade=f"Select a grade for “{c.text}”",
                empty_value=None,
                required=require_all,
                initial=initial,
            )
            self.fields[self.text_key(c)] = long_text_field(
                "Evidence",
                rows=4,
                too_long=f"Evidence must be {EVIDENCE_MAX} characters or fewer",
                initial=j.evidence if j else "",
            )

    def error_links(self):
        """(anchor, message) for the GOV.UK error summary, in page order."""
        links = [("#main-content", e) for e in self.non_field_errors()]
        if self["version"].errors:  # a tampered or missing hidden field: the page itself is stale
            links.append(("#main-content", "This page is out of date. Reload it and try again."))
        return links + self.criterion_error_links()


class SubmitForm(forms.Form):
    """The auditor's overall grade on the check-your-answers page."""

    overall_grade = grade_field("Overall grade", missing="Select the overall grade", widget=forms.RadioSelect)
    rationale = long_text_field(
        "Rationale", rows=4, help_text="Required when your overall grade differs from the suggested grade."
    )
    family_feedback = yes_no_field(
        "Did feedback from the family inform this audit?",
        missing="Select yes if family feedback informed this audit",
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, suggested: int | None = None, ceiling: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggested = suggested
        self.ceiling = ceiling
        if ceiling is not None:
            self.fields["overall_grade"].help_text = (
                f"A limiting criterion is graded Requires improvement: the overall grade can be at most "
                f"{Grade(ceiling).label}."
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("overall_grade", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field.textarea("rationale", label_size=Size.SMALL),
            Field.radios("family_feedback", legend_size=Size.SMALL, inline=True),
            Field("version"),
            Submit("submit", "Submit audit"),
        )

    def clean(self):
        data = super().clean()
        grade, rationale = data.get("overall_grade"), (data.get("rationale") or "").strip()
        over_ceiling = ceiling_error(grade, self.ceiling)
        if over_ceiling:
            self.add_error("overall_grade", over_ceiling)
            return data
        if grade is not None and self.suggested is not None and grade != self.suggested and not rationale:
            self.add_error(
                "rationale",
                f"Explain why your overall grade differs from the suggested grade ({Grade(self.suggested).label})",
            )
        return data


class LearningActionForm(forms.Form):
    description = forms.CharField(
        label="What should the practitioner do?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what the practitioner should do"},
    )
    due_on = GovukDateInputField(label="By when?", help_text="For example, 27 3 2027")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.textarea("description", label_size=Size.SMALL),
            Field("due_on", legend_size=Size.SMALL),
            Submit("submit", "Add learning action"),
        )

    def clean_due_on(self):
        return clean_due_date(self.cleaned_data["due_on"], name="The date")


def auditors_for(case):
    """People who may be given the audit of this case: auditors of its region, and national
    quality admins who also audit (the same people who can see the case as auditors)."""
    users = get_user_model().objects.filter(groups__name=Role.AUDITOR, is_active=True)
    return (
        users.filter(Q(region_id=case.region_id) | Q(groups__name=Role.QUALITY_ADMIN))
        .distinct()
        .order_by("full_name", "username")
    )


class AuditCreateForm(forms.Form):
    auditor = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        label="Auditor",
        empty_label="Choose an auditor",
        error_messages={"required": "Choose an auditor", "invalid_choice": "Choose an auditor from the list"},
    )
    template = template_field()
    due_on = GovukDateInputField(label="Due date", help_text="For example, 27 3 2027")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["auditor"].queryset = auditors_for(case)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.select("auditor", label_size=Size.SMALL),
            Field.radios("template", legend_size=Size.SMALL),
            Field("due_on", legend_size=Size.SMALL),
            Submit("submit", "Create audit"),
        )

    def clean_due_on(self):
        return clean_due_date(self.cleaned_data["due_on"], within=(366, "a year"))


class VersionedAuditAdminForm(forms.ModelForm):
    """An admin change form carries the audit's version as it was when the page opened, so a save
    after someone else's (an auditor's grading, a moderation) is refused with the optimistic
    lock's message and writes nothing, instead of putting back what the page showed. The save
    itself checks it again (Audit.save). A post without it is checked against the row as loaded."""

    opened_at_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_at_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        opened = cleaned.get("opened_at_version")
        if self.instance.pk and opened is not None:
            if opened != self.instance.version:  # the admin loaded the row afresh for this post
                stale = StaleAudit.of(self.instance.pk)
                raise forms.ValidationError(f"{stale.heading}. {stale.message} Reload the page to see the changes.")
            self.instance.version = opened
        return cleaned


class AuditAdminForm(VersionedAuditAdminForm):
    """Admin form for an audit: Audit.clean refuses a self-audit here too."""

    class Meta:
        model = Audit
        fields = ["case", "template", "auditor", "due_on"]


class CompletedAuditAdminForm(VersionedAuditAdminForm):
    """Admin correction of a completed audit's overall grade: the limiting ceiling holds here too.

    The grade is saved through `audit_regrade` (ModelAdmin.save_model), which checks again
    inside its transaction; checking here first puts the message on the field.
    """

    class Meta:
        model = Audit
        fields = ["due_on", "overall_grade", "rationale"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["overall_grade"].required = True

    def clean_overall_grade(self):
        grade = self.cleaned_data["overall_grade"]
        judgements = self.instance.judgements.filter(criterion__limiting=True).select_related("criterion")
        error = ceiling_error(grade, grade_ceiling(judgements))
        if error:
            raise forms.ValidationError(error)
        return grade


class AuditTemplateAdminForm(forms.ModelForm):
    """Admin form for a template: a new template needs a slug no version of any template uses.

    The (slug, version) constraint involves `version`, which the form does not show, so
    the form would not check it and the insert would fail with an IntegrityError (a 500).
    """

    class Meta:
        model = AuditTemplate
        fields = ["slug", "name", "description"]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if self.instance.pk is None and AuditTemplate.objects.filter(slug=slug).exists():
            raise forms.ValidationError(
                f"A template with the slug “{slug}” already exists. Edit that template instead: "
                "saving changes to a template in use makes a new version."
            )
        return slug


class ModerationAdminForm(forms.ModelForm):
    """Admin form for a moderation: the moderator may not be the audit's auditor or the
    practitioner whose work it graded (the rule the sampling and the moderation page apply)."""

    class Meta:
        model = Moderation
        fields = ["audit", "moderator"]

    def clean(self):
        data = super().clean()
        audit, moderator = data.get("audit"), data.get("moderator")
        people = (audit.auditor_id, audit.practitioner_id, audit.case.practitioner_id) if audit else ()
        if moderator is not None and moderator.pk in people:
            self.add_error(
                "moderator", "A moderator may not be the auditor or the practitioner whose work was audited."
            )
        return data


class ModerationForm(CriterionRowsMixin, forms.Form):
    """The moderator's own, blind grading: each criterion (with an optional note), then the overall grade.

    Rendered by hand in templates/audits/moderate.html (a radios group per criterion).
    """

    prefix_letter = "m"
    text_name = "note"

    grade = grade_field(
        "Your overall grade for this work", missing="Select your overall grade", widget=forms.RadioSelect
    )
    notes = long_text_field(
        "Notes",
        rows=4,
        too_long=f"Notes must be {EVIDENCE_MAX} characters or fewer",
        help_text="Why you reached this grade, for the auditor and for learning.",
    )

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        for row in self.rows:
            c = row.criterion
            self.fields[self.answer_key(c)] = criterion_answer_field(
                c, missing_grade=f"Select your grade for “{c.text}”"
            )
            self.fields[self.text_key(c)] = long_text_field(
                "Your note", rows=3, too_long=f"A note must be {EVIDENCE_MAX} characters or fewer"
            )

    def error_links(self):
        links = [("#main-content", e) for e in self.non_field_errors()]
        links += self.criterion_error_links()
        links += [("#id_grade_1", e) for e in self["grade"].errors]
        links += [("#id_notes", e) for e in self["notes"].errors]
        return links
