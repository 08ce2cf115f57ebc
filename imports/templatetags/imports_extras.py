"""Counts on the imports pages, grouped as the reader's locale groups them (22 647, not 22647)."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def count(value) -> str:
    return "—" if value is None else number_format(value, 0, force_grouping=True)
