"""GOV.UK-style error messages for every app's forms: say what to do, never Django's generic
"This field is required." or Python's "day is out of range for month"."""

import datetime

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError

DJANGO_REQUIRED = str(forms.Field.default_error_messages["required"])


def _name(field, name: str) -> str:
    label = str(field.label or name.replace("_", " "))
    return label[:1].lower() + label[1:] if not label[:2].isupper() else label


def govuk_messages(form: forms.BaseForm) -> None:
    """Replace the framework's generic messages left on a form's fields with ones that say what to do."""
    for name, field in form.fields.items():
        what = _name(field, name).rstrip("?")
        if str(field.error_messages.get("required")) == DJANGO_REQUIRED:
            verb = "Select" if isinstance(field, forms.ChoiceField | forms.ModelChoiceField) else "Enter"
            field.error_messages["required"] = f"{verb} {what}"
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = f"Enter {what} as a real date, for example 27 3 2027"
        elif isinstance(field, forms.IntegerField):
            field.error_messages["invalid"] = f"Enter {what} as a whole number"
        if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            field.error_messages["invalid_choice"] = f"Choose one of the options for {what}"


class GovukDateInputField(DateInputField):
    """The GOV.UK date input (day, month, year) with messages that say what to do, including for a
    date that does not exist (31 2 2027) or a year out of any sensible range."""

    def __init__(self, *, label: str, **kwargs):
        super().__init__(label=label, **kwargs)
        what = label.rstrip("?").lower()
        self.what = what
        self.error_messages["required"] = f"Enter {what}: the day, month and year"
        self.error_messages["incomplete"] = f"Enter {what}: the day, month and year"
        day, month, year = self.fields
        day.validators[0].message = "Enter the day as a number, for example 27"
        month.validators[0].message = "Enter the month as a number, for example 3"
        year.validators[0].message = "Enter the year as four digits, for example 2027"

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        if not 1900 <= int(year) <= 2100:
            raise ValidationError("Enter the year as four digits, for example 2027")
        try:
            return datetime.date(day=int(day), month=int(month), year=int(year))
        except ValueError:
            raise ValidationError(
                f"{self.what[:1].upper()}{self.what[1:]} must be a real date, for example 27 3 2027"
            ) from None
