"""Django's form renderer, with <select> written in Python.

Django renders every <option> of a select through two included templates (select_option.html
and attrs.html). A filter form with a few hundred options (a region's practitioners, its
teams) spent most of the case list's CPU there: about two thirds of the page. This renderer
writes Django's own select.html, byte for byte, in a loop of string joins; every other widget
template, and any select whose options use another template, goes through Django as before.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import escape

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
_CONTEXT = Context(autoescape=True)  # as a template renders {{ value }}: localised, then escaped


def _value(value) -> str:
    """{{ value }} in a template."""
    return render_value_in_context(value, _CONTEXT)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {_value(name)}")
        else:
            out.append(f' {_value(name)}="{escape(str(value))}"')  # |stringformat:'s', escaped
    return "".join(out)


def render_select(widget: dict) -> str | None:
    """django/forms/widgets/select.html for this widget context, or None when an option has a
    template of its own (then Django renders it)."""
    parts = [f'<select name="{_value(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_value(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION:
                return None
            value = escape(str(option["value"]))
            parts.append(f'\n  <option value="{value}"{_attrs(option["attrs"])}>{_value(option["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts).strip()  # BaseRenderer.render strips the template's output


class QuickSelectRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: Django's templates, with select.html in Python."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT and "widget" in context:
            html = render_select(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)
