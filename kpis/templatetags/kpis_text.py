"""`{{ kpi|builtin:"description" }}`: a built-in KPI's or metric's text in the reader's language."""

from django import template

from kpis.presenters.common import builtin_text

register = template.Library()


@register.filter
def builtin(obj, field: str = "name") -> str:
    return builtin_text(obj, field) if obj is not None else ""
