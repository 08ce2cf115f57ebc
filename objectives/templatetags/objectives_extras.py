"""Formatting of key-result values by their KPI's unit, localized (grouping and decimal mark follow the locale)."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


def format_value(value, unit: str) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    if unit in ("eur", "€", "percent", "%"):  # amounts and percentages as the KPI pages write them (Babel, CLDR)
        from kpis.presenters import format_kpi_value

        return format_kpi_value(value, "eur" if unit in ("eur", "€") else "percent")
    if unit in ("count",) or value == value.to_integral_value():
        return number_format(value.quantize(Decimal("1")), 0, force_grouping=True)
    return number_format(value.quantize(Decimal("0.01")), 2, force_grouping=True)


@register.filter
def kr_value(value, kr) -> str:
    """`{{ kv.current|kr_value:kv.kr }}`: the value in the unit of the key result's KPI (or its typed unit)."""
    unit = kr.kpi.unit if getattr(kr, "kpi", None) is not None else (kr.unit or "")
    text = format_value(value, unit)
    if kr.kpi is None and kr.unit and value is not None and unit not in ("eur", "€", "percent", "%"):
        text = f"{text}\u00a0{kr.unit}"
    return text


@register.filter
def unit_value(value, unit: str) -> str:
    return format_value(value, unit)


@register.filter
def can_set(membership, kind: str) -> bool:
    from objectives.services import can_set_kind

    return can_set_kind(membership, kind)


@register.filter
def kind_label(kind: str) -> str:
    from objectives.models import Objective

    try:
        return Objective.Kind(kind).label
    except ValueError:
        return kind


@register.simple_tag
def progress_bar(pct) -> str:
    """`{% progress_bar n.progress_pct %}`: an objective's or a key result's progress (objectives/partials/progress.html).

    A tag rather than an include: the dashboards and the home panel draw one per row, and an include per row cost
    more than the rest of the row."""
    from django.utils.formats import localize
    from django.utils.html import format_html
    from django.utils.translation import gettext

    if pct is None:
        return format_html('<span class="obj-progress"><span class="muted">{}</span></span>', gettext("no data"))
    shown = localize(pct)
    return format_html('<span class="obj-progress"><progress max="100" value="{}" aria-label="{}">{} %</progress> '
                       '<span class="num">{} %</span></span>', shown, gettext("Progress"), shown, shown)


@register.simple_tag
def risk_badge(risk) -> str:
    """`{% risk_badge n.risk %}`: the risk level and score, its terms in the tooltip (objectives/partials/risk.html)."""
    from django.utils.formats import localize
    from django.utils.html import format_html
    from django.utils.translation import gettext

    if not risk:
        return ""
    score = "–" if risk.score is None else localize(risk.score)
    suffix = "" if risk.score is None else f" · {localize(risk.score)}"
    return format_html('<span class="status status-{}" title="{} {}/100 — {}" data-testid="risk">{}{}</span>',
                       risk.level, gettext("Risk"), score, risk.explanation, risk.label, suffix)
