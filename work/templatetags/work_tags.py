"""{% work_tag item today %}: an item's due / due soon / overdue tag."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def work_tag(item, today):
    text, modifier = item.tag(today)
    return format_html('<strong class="govuk-tag {}">{}</strong>', modifier, text)


@register.simple_tag
def work_state(item, today):
    return item.state(today)
