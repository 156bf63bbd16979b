"""Forms for feedback: the questions of a question set (the same fields behind a one-time link and
on the staff form for paper, phone or in-person feedback), making links, and complaints."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms
from django.utils import timezone

from organisation.forms import govuk_messages

from .models import TEXT_MAX_LENGTH, Audience, Channel, Kind, Outcome, Question, QuestionKind, Theme

NO_ANSWER = "Answer at least one question before sending."


def answer_field(question: Question) -> forms.Field:
    """The form field for one question; every question may be skipped."""
    if question.kind == QuestionKind.TEXT:
        return forms.CharField(
            label=question.text,
            help_text=question.hint,
            required=False,
            max_length=TEXT_MAX_LENGTH,
            strip=True,
            widget=forms.Textarea(attrs={"rows": 5}),
            error_messages={"max_length": f"Keep this to {TEXT_MAX_LENGTH} characters or fewer."},
        )
    return forms.ChoiceField(
        label=question.text,
        help_text=question.hint,
        choices=question.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the answers shown."},
    )


class AnswersForm(forms.Form):
    """The questions of a question set (all of them, or the one on this page)."""

    def __init__(self, *args, questions, require_one=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.require_one = require_one
        for question in self.questions:
            self.fields[question.code] = answer_field(question)
            self.fields[question.code].question = question

    def clean(self):
        data = super().clean()
        if self.require_one and not any(data.get(q.code) for q in self.questions):
            raise forms.ValidationError(NO_ANSWER)
        return data

    def answers(self) -> dict:
        return {q.code: self.cleaned_data[q.code] for q in self.questions if self.cleaned_data.get(q.code)}


class SendForm(forms.Form):
    anonymous = forms.BooleanField(
        label="Do not link my answers to my case", required=False, help_text="We will still read them."
    )


class RecordDetailsForm(forms.Form):
    """Staff recording feedback received another way: what the public form knows from the link."""

    case_reference = forms.CharField(label="Case reference", max_length=30)
    channel = forms.ChoiceField(
        label="How did it arrive?",
        choices=[c for c in Channel.choices if c[0] != Channel.ONLINE],
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(label="Kind", choices=Kind.choices, widget=forms.RadioSelect)
    received_on = forms.DateField(label="Date received", widget=forms.DateInput(attrs={"type": "date"}))
    anonymous = forms.BooleanField(label="They asked not to be linked to the case", required=False)

    def __init__(self, *args, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = cases
        govuk_messages(self)
        for name, message in {
            "case_reference": "Enter the case reference, for example NE-0001",
            "channel": "Select how the feedback reached us",
            "kind": "Select whether it is feedback, a compliment or a complaint",
            "received_on": "Enter the date the feedback was received",
        }.items():
            self.fields[name].error_messages["required"] = message

    def clean_case_reference(self):
        reference = self.cleaned_data["case_reference"].strip()
        case = self.cases.filter(reference=reference).first() if self.cases is not None else None
        if case is None:
            raise forms.ValidationError("There is no case with that reference that you can see.")
        self.case = case
        return reference

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date received cannot be in the future.")
        return day


class FeedbackRequestForm(forms.Form):
    audience = forms.ChoiceField(label="Who is the link for?", choices=Audience.choices, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].error_messages["required"] = "Select who the link is for"
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("audience", legend_size=Size.MEDIUM), Button("submit", "Create a one-time link")
        )


class EmailLinkForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="We use it once to send the link and do not keep it.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field.text("email", label_size=Size.SMALL))


class ComplaintForm(forms.Form):
    """One step of a complaint: acknowledge, respond with an outcome, or record who owns it and what we learned."""

    acknowledged_on = forms.DateField(
        label="Acknowledged on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    responded_on = forms.DateField(label="Responded on", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(
        label="Outcome", choices=[("", "Not decided yet"), *Outcome.choices], required=False, widget=forms.RadioSelect
    )
    response = forms.CharField(
        label="Our response", required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6})
    )
    learning_note = forms.CharField(
        label="What we learned",
        help_text="For the team and the 'you said, we did' list: no names.",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner = forms.ModelChoiceField(label="Owner", queryset=None, required=False)

    def __init__(self, *args, owners, complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: user.get_full_name() or user.username
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.select("owner"),
            Field.text("acknowledged_on", field_width=10),
            Field.text("responded_on", field_width=10),
            Field.radios("outcome", legend_size=Size.SMALL),
            Field.textarea("response"),
            Field.textarea("learning_note"),
            Button("submit", "Save complaint"),
        )

    def clean(self):
        data = super().clean()
        received = self.complaint.received_on
        today = timezone.localdate()
        for name in ("acknowledged_on", "responded_on"):
            day = data.get(name)
            if day and not received <= day <= today:
                self.add_error(name, "The date must be between the day the complaint came in and today.")
        if data.get("responded_on"):
            if not data.get("acknowledged_on"):
                self.add_error("acknowledged_on", "Record when the complaint was acknowledged before the response.")
            if not data.get("outcome"):
                self.add_error("outcome", "Choose the outcome of the complaint.")
            if not data.get("response"):
                self.add_error("response", "Enter the response we sent.")
        return data


class ThemesForm(forms.Form):
    themes = forms.ModelMultipleChoiceField(
        label="Themes", queryset=Theme.objects.filter(active=True), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(Field.checkboxes("themes", legend_size=Size.SMALL), Button("submit", "Save themes"))
