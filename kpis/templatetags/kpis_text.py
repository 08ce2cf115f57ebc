"""`{{ kpi|builtin:"description" }}`: a built-in KPI's or metric's text in the reader's language."""

from django import template

from kpis.presenters.common import builtin_text

register = template.Library()


@register.filter
def builtin(obj, field: str = "name") -> str:
    return builtin_text(obj, field) if obj is not None else ""


@register.filter
def forecast_words(method: str) -> str:
    """`{{ kv.forecast_method|forecast_words }}`: the engine's forecast method in the reader's language."""
    from kpis.presenters.feeds import forecast_method_text

    return forecast_method_text(method or "")
