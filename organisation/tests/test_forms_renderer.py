"""The quick form renderer writes <select> exactly as Django's templates do."""

import datetime

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.functional import lazy
from django.utils.safestring import mark_safe

from organisation.forms_renderer import QuickSelectRenderer

lazy_text = lazy(lambda: "Lazy <label>", str)


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("", "All"), ("a", "A & B"), ('b"<', 'Quote " and <tag>')])
    grouped = forms.ChoiceField(
        choices=[("", "Any"), ("Group <1>", [("1", "One"), ("2", lazy_text())]), ("x", "Ungrouped")],
        required=False,
    )
    numbers = forms.TypedChoiceField(choices=[(1, 1), (2, 2.5), (3, datetime.date(2025, 6, 1))], coerce=int)
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", mark_safe("<b>B</b>"))], required=False)
    flags = forms.NullBooleanField()
    empty = forms.ChoiceField(choices=[], required=False)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"plain": "a", "grouped": "2", "numbers": "3", "many": ["a", "b"], "flags": "true"},
        {"plain": 'b"<', "grouped": "x", "numbers": "zzz", "flags": "false"},
    ],
)
def test_every_select_is_written_as_djangos_templates_write_it(data):
    def render(renderer):
        form = Everything(data or None, renderer=renderer)
        form.fields["plain"].widget.attrs.update({"class": "govuk-select", "data-x": 'a"b', "hidden": True})
        form.fields["grouped"].widget.attrs.update({"disabled": False, "aria-describedby": None})
        return [str(form[name]) for name in form.fields]

    assert render(QuickSelectRenderer()) == render(DjangoTemplates())


def test_the_project_uses_it():
    assert settings.FORM_RENDERER == "organisation.forms_renderer.QuickSelectRenderer"
