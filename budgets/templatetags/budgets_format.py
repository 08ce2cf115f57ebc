"""Amounts and cells of the budgets page, in the reader's locale (12 500 / 12,500)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from kpis.presenters.common import format_number, short_month

register = template.Library()


@register.filter
def amount(value) -> str:
    """Whole euros as a table reads them; cents only when there are some."""
    if value is None:
        return "—"
    value = Decimal(value)
    return format_number(value, decimals=0 if value == value.to_integral_value() else 2)


@register.filter
def signed_amount(value) -> str:
    text = amount(value)
    return f"+{text}" if value is not None and Decimal(value) > 0 else text


@register.filter
def percent(value) -> str:
    """A percentage kept in percent (4.35 → 4,3 %), signed."""
    if value is None:
        return "—"
    text = format_number(Decimal(value) / 100, kind="percent", decimals=1)
    return f"+{text}" if Decimal(value) > 0 else text


@register.filter
def month(value) -> str:
    """A column's month as the reader abbreviates it ("juin 2026", "juil. 2026" / "Jun 2026")."""
    return short_month(value)


@register.filter
def cell_key(account_prefix: str, month) -> str:
    """The key of one cell (`64-2026-01-01`): the input's id, so focus survives the grid's swap."""
    return f"{account_prefix}-{month.isoformat()}"
