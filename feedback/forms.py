"""Forms for feedback: the short public form behind a one-time link, and the staff form."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms

from organisation.forms import govuk_messages

from .models import Channel, Feedback, Kind, Respondent

YES_NO_NOT_SURE = [("yes", "Yes"), ("no", "No"), ("not_sure", "I'm not sure")]


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class PublicFeedbackForm(forms.Form):
    """Plain words a child can read; every question may be skipped."""

    helpfulness = forms.TypedChoiceField(
        label="How much did your family court adviser help you?",
        help_text="0 means not at all, 10 means a lot.",
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    worker_helped = forms.ChoiceField(
        label="Did your worker listen to you and help you?",
        choices=YES_NO_NOT_SURE,
        required=False,
        widget=forms.RadioSelect,
    )
    understood_recommendation = forms.ChoiceField(
        label="Did you understand what your worker told the court?",
        choices=YES_NO_NOT_SURE,
        required=False,
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label="Is there anything else you want to tell us?",
        help_text="Please do not write anyone's full name.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )
    anonymous = forms.BooleanField(
        label="Do not link my answers to my case", required=False, help_text="We will still read them."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("helpfulness", legend_size=Size.MEDIUM, inline=True),
            Field.radios("worker_helped", legend_size=Size.MEDIUM),
            Field.radios("understood_recommendation", legend_size=Size.MEDIUM),
            Field.textarea("comments", label_size=Size.MEDIUM),
            Field.checkbox("anonymous"),
            Button("submit", "Send my answers"),
        )

    def clean(self):
        data = super().clean()
        answered = [data.get("helpfulness") is not None, data.get("worker_helped"), data.get("comments")]
        answered.append(data.get("understood_recommendation"))
        if not any(answered):
            raise forms.ValidationError("Answer at least one question before sending.")
        return data


class FeedbackRecordForm(forms.ModelForm):
    """Staff record feedback that arrived by phone, in person, on paper or by video."""

    case_reference = forms.CharField(label="Case reference", max_length=30)
    worker_helped = forms.ChoiceField(
        label="Did the worker help?", choices=YES_NO_NOT_SURE, required=False, widget=forms.RadioSelect
    )
    understood_recommendation = forms.ChoiceField(
        label="Did they understand the recommendation?",
        choices=YES_NO_NOT_SURE,
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Feedback
        fields = ["respondent", "channel", "kind", "received_on", "helpfulness", "comments", "anonymous"]
        labels = {"received_on": "Date received", "helpfulness": "Helpfulness (0 to 10)"}
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}),
            "respondent": forms.RadioSelect,
            "channel": forms.RadioSelect,
            "kind": forms.RadioSelect,
        }

    def __init__(self, *args, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = cases
        self.fields["respondent"].choices = Respondent.choices
        self.fields["channel"].choices = [c for c in Channel.choices if c[0] != Channel.ONLINE]
        self.fields["kind"].choices = Kind.choices
        govuk_messages(self)
        for name, message in {
            "case_reference": "Enter the case reference, for example NE-0001",
            "respondent": "Select who gave the feedback",
            "channel": "Select how the feedback reached us",
            "kind": "Select whether it is feedback, a compliment or a complaint",
            "received_on": "Enter the date the feedback was received",
        }.items():
            self.fields[name].error_messages["required"] = message
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("case_reference", field_width=10),
            Field.radios("respondent", legend_size=Size.SMALL),
            Field.radios("channel", legend_size=Size.SMALL, inline=True),
            Field.radios("kind", legend_size=Size.SMALL, inline=True),
            Field.text("received_on", field_width=10),
            Field.text("helpfulness", field_width=2),
            Field.radios("worker_helped", legend_size=Size.SMALL, inline=True),
            Field.radios("understood_recommendation", legend_size=Size.SMALL, inline=True),
            Field.textarea("comments"),
            Field.checkbox("anonymous"),
            Button("submit", "Save feedback"),
        )

    def clean_case_reference(self):
        reference = self.cleaned_data["case_reference"].strip()
        case = self.cases.filter(reference=reference).first() if self.cases is not None else None
        if case is None:
            raise forms.ValidationError("There is no case with that reference that you can see.")
        self.case = case
        return reference


class FeedbackRequestForm(forms.Form):
    respondent = forms.ChoiceField(label="Who is the link for?", choices=Respondent.choices, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respondent"].error_messages["required"] = "Select who the link is for"
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("respondent", legend_size=Size.MEDIUM), Button("submit", "Create a one-time link")
        )
