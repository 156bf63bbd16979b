"""Small filters for plan pages: KPI figures with their unit, RAG labels."""

from django import template

register = template.Library()

RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}


@register.filter
def figure(value, unit="%"):
    """63.2% for a percentage, 2.1 days for a mean; an em dash where there is no figure."""
    if value is None or value == "":
        return "—"
    value = float(value)
    return f"{value:.1f}%" if unit == "%" else f"{value:.1f} days"


@register.filter
def rag_label(value):
    return RAG_LABELS.get(value, "")
