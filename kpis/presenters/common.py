"""Shared by the KPI presenters: statuses, numbers and periods in the user's locale, values of many KPIs
in two queries, formulas with their references linked."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import get_currency_symbol, parse_pattern
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization
from kpis import selectors
from kpis.models import Kpi, KpiTarget, KpiValue, Metric
from kpis.periods import Period, is_supported_day, period_containing


def value_status_label(status: str, value) -> str:
    """"No target" rather than "No data" when there is a value but nothing to compare it with."""
    if status == "no_data" and value is not None:
        return _("No target")
    return status_label(status)


STATUS_LABELS = {
    "on_track": lambda: _("On track"),
    "at_risk": lambda: _("At risk"),
    "off_track": lambda: _("Off track"),
    "no_data": lambda: _("No data"),
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, STATUS_LABELS["no_data"])()


def statuses() -> dict[str, str]:
    return {key: label() for key, label in STATUS_LABELS.items()}


def _locale() -> Locale:
    return _locale_of(translation.get_language() or "en")


@lru_cache(maxsize=32)
def _locale_of(language: str) -> Locale:
    """Parsed once per language: a dashboard formats a few hundred figures."""
    try:
        return Locale.parse(translation.to_locale(language))
    except (ValueError, LookupError):
        return Locale.parse("en")


def _pattern(kind: str, loc: Locale, decimals: int):
    return _pattern_of(kind, str(loc), decimals)


@lru_cache(maxsize=256)
def _pattern_of(kind: str, locale_id: str, decimals: int):
    """Built once per kind, locale and precision; `apply` only reads it."""
    loc = Locale.parse(locale_id)
    if kind == "currency":
        source = loc.currency_formats["standard"]
    elif kind == "percent":
        source = loc.percent_formats[None]
    else:
        source = loc.decimal_formats[None]
    pattern = copy.copy(parse_pattern(source))  # parse_pattern caches: never mutate its result
    pattern.frac_prec = (decimals, decimals)
    if kind == "currency":  # the symbol written in once: `apply(currency=…)` looks the currency's name up per call
        symbol = get_currency_symbol("EUR", loc)
        pattern.prefix = tuple(part.replace("¤", symbol) for part in pattern.prefix)
        pattern.suffix = tuple(part.replace("¤", symbol) for part in pattern.suffix)
    return pattern


def format_number(value: Decimal | float | None, *, kind: str = "decimal", decimals: int = 0) -> str:
    """`kind` is "currency" (EUR), "percent" (`value` is a ratio here: 0.25 → 25 %) or "decimal"."""
    if value is None:
        return ""
    loc = _locale()
    return _pattern(kind, loc, decimals).apply(Decimal(value), loc)


UNIT_DECIMALS = {"eur": 0, "percent": 1, "days": 1, "hours": 1, "count": 0, "ratio": 2, "months": 1}


def format_kpi_value(value: Decimal | None, unit: str, *, precise: bool = False) -> str:
    """A KPI value as people read it: whole euros in overviews, cents where `precise`."""
    if value is None:
        return ""
    if unit == Kpi.Unit.EUR:  # cents matter on small amounts (a cost per unit), not on a revenue nor on nothing owed
        return format_number(value, kind="currency", decimals=2 if precise or 0 < abs(value) < 100 else 0)
    if unit == Kpi.Unit.PERCENT:  # the engine keeps percentages as numbers of percent (35.2 = 35,2 %)
        return format_number(Decimal(value) / 100, kind="percent", decimals=2 if precise else 1)
    decimals = UNIT_DECIMALS.get(unit, 2) + (1 if precise and unit != Kpi.Unit.COUNT else 0)
    number = format_number(value, decimals=decimals)
    if unit == Kpi.Unit.DAYS:
        return _("%(value)s d") % {"value": number}
    if unit == Kpi.Unit.HOURS:
        return _("%(value)s h") % {"value": number}
    if unit == Kpi.Unit.MONTHS:
        return _("%(value)s mo.") % {"value": number}
    if unit == Kpi.Unit.RATIO:
        return f"{number}×"
    return number


def chart_format(unit: str) -> dict:
    """The `format` of a chart payload: how static/js/charts.js formats this unit with Intl."""
    if unit == Kpi.Unit.EUR:
        return {"style": "currency", "currency": "EUR", "decimals": 0}
    if unit == Kpi.Unit.PERCENT:
        return {"style": "percent", "decimals": 1, "scale": 0.01}
    suffix = {
        Kpi.Unit.DAYS: " " + _("d"), Kpi.Unit.HOURS: " " + _("h"), Kpi.Unit.MONTHS: " " + _("mo."),
        Kpi.Unit.RATIO: "×",
    }.get(unit, "")
    return {"style": "decimal", "decimals": UNIT_DECIMALS.get(unit, 2), "suffix": suffix}


def as_float(value: Decimal | None) -> float | None:
    """Charts get JSON numbers; the figures people read are formatted from the Decimal, not this."""
    return None if value is None else float(value)


@dataclass(frozen=True)
class Delta:
    """A change between two values, with its tone for this KPI's direction."""

    text: str
    tone: str  # "good" | "bad" | "flat"
    arrow: str


def delta(kpi: Kpi, current: Decimal | None, reference: Decimal | None) -> Delta | None:
    """Percentage change for amounts and counts; a difference in points for percentages."""
    if current is None or reference is None:
        return None
    diff = current - reference
    if kpi.unit == Kpi.Unit.PERCENT:
        points = diff
        text = _("%(sign)s%(value)s pt") % {"sign": "+" if points > 0 else "", "value": format_number(points, decimals=1)}
    else:
        if reference == 0:
            return None
        change = diff / abs(reference)
        text = ("+" if change > 0 else "") + format_number(change, kind="percent", decimals=1)
    if diff == 0:
        return Delta(text=text, tone="flat", arrow="→")
    better = (diff > 0) == (kpi.direction == Kpi.Direction.HIGHER)
    return Delta(text=text, tone="good" if better else "bad", arrow="↑" if diff > 0 else "↓")


def month_label(period: Period, *, short: bool = False) -> str:
    """"novembre 2026" / "November 2026" (or "nov. 2026"), in the active language."""
    if short:
        return short_month(period.start)
    return _month_label(period.start, translation.get_language() or "en")


@lru_cache(maxsize=1024)
def _month_label(day: date, language: str) -> str:
    """Worked out once per month and language (the active one, passed as the key): a dashboard names ~50 months."""
    return date_format(day, "YEAR_MONTH_FORMAT")


def short_month(day: date) -> str:
    """"juin 2026", "juil. 2026" / "Jun 2026": CLDR's abbreviations (Django's "M" reads "Jui" for both June
    and July in French)."""
    return _short_month(day, translation.get_language() or "en")


@lru_cache(maxsize=1024)
def _short_month(day: date, language: str) -> str:
    return format_date(day, "MMM y", locale=_locale_of(language))


def period_label(period: Period) -> str:
    """"October 2026", "Q4 2026" / "T4 2026", "FY2026" / "Exercice 2025/26", in the active language."""
    if period.grain == "month":
        return month_label(period)
    fy = period.fiscal_year
    fy_text = str(fy) if period.fy_start_month == 1 else f"{fy - 1}/{fy % 100:02d}"
    if period.grain == "quarter":
        quarter = re.match(r"Q(\d)", period.label())
        return _("Q%(quarter)s %(year)s") % {"quarter": quarter.group(1) if quarter else "?", "year": fy_text}
    return _("FY%(year)s") % {"year": fy_text}


def month_options(org: Organization, *, selected: Period, today: date | None = None, count: int = 24) -> list[dict]:
    """The months a page may show, newest first; the current one is marked as to date."""
    current = selectors.current_period(org, today=today)
    options, p = [], current
    for _i in range(count):
        label = month_label(p)
        if p == current:
            label = _("%(month)s (to date)") % {"month": label}
        options.append({"value": p.start.strftime("%Y-%m"), "label": label, "selected": p.start == selected.start})
        p = p.previous()
    return options


def parse_month(org: Organization, value: str | None, *, today: date | None = None,
                default_current: bool = False) -> Period:
    """`?month=2026-10` → that month; anything else → the last complete month (or the running one)."""
    current = selectors.current_period(org, today=today)
    if value:
        try:
            year, month = (int(x) for x in value.split("-", 1))
            if not is_supported_day(date(year, month, 1)):
                raise ValueError(value)
            chosen = period_containing(date(year, month, 1), "month", org.fiscal_year_start_month)
            return min(chosen, current)
        except ValueError:
            pass
    return current if default_current else current.previous()


@dataclass
class MonthlyTable:
    """Materialised monthly values and targets of several KPIs; 2 queries whatever their number."""

    months: list[Period]
    values: dict[tuple[int, date], KpiValue]
    targets: dict[tuple[int, date], KpiTarget]

    def point(self, kpi: Kpi, month: Period) -> tuple[Decimal | None, str, Decimal | None, str]:
        """(value, no-value reason, target, status) of one KPI in one month."""
        v = self.values.get((kpi.pk, month.start))
        t = self.targets.get((kpi.pk, month.start))
        value = v.value if v else None
        reason = "" if value is not None else (v.no_value_reason if v else "")
        target = t.value if t else None
        status = selectors.kpi_status(kpi, value=value, target=target,
                                      at_risk_threshold=t.at_risk_threshold if t else Decimal("0.10"))
        return value, reason, target, status


def monthly_table(org: Organization, *, kpis: list[Kpi], months: list[Period],
                  with_forecasts: bool = False) -> MonthlyTable:
    """`with_forecasts`: each value carries its materialised forecast (selectors.with_forecasts), same queries."""
    if not kpis or not months:
        return MonthlyTable(months=months, values={}, targets={})
    starts = [m.start for m in months]
    ids = [k.pk for k in kpis]
    values = KpiValue.objects.for_org(org).filter(
        kpi_id__in=ids, grain="month", dimension_value="", period_start__in=starts
    ).only("kpi_id", "grain", "period_start", "value", "no_value_reason")
    if with_forecasts:
        values = selectors.with_forecasts(values)
    targets = KpiTarget.objects.for_org(org).filter(kpi_id__in=ids, grain="month", period_start__in=starts)
    return MonthlyTable(
        months=months,
        values={(v.kpi_id, v.period_start): v for v in values},
        targets={(t.kpi_id, t.period_start): t for t in targets},
    )


def reason_text(reason: str) -> str:
    """The engine's no-value reason in plain words (kpis/presenters/feeds.py), or "no data yet"."""
    from kpis.presenters.feeds import reason_text as plain  # feeds imports this module

    return plain(reason) if reason else _("No data yet")


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FUNCTIONS = {"min", "max", "abs", "if"}


def formula_html(formula: str, *, org: Organization, kpi_slugs: set[str], metrics: dict[str, Metric]) -> str:
    """The exact formula, with each KPI reference linked to its page and each metric named on hover."""
    out, last = [], 0
    for match in _IDENTIFIER.finditer(formula):
        out.append(escape(formula[last:match.start()]))
        word = match.group(0)
        if word in kpi_slugs:
            href = reverse("kpis:kpi_detail", kwargs={"org_slug": org.slug, "kpi_slug": word})
            out.append(format_html('<a href="{}">{}</a>', href, word))
        elif word in metrics:
            out.append(format_html('<abbr title="{}">{}</abbr>', metric_name(metrics[word]), word))
        else:
            out.append(escape(word))
        last = match.end()
    out.append(escape(formula[last:]))
    return mark_safe("".join(str(part) for part in out))  # every piece above is escaped


def can_see(membership: Membership, kpi: Kpi) -> bool:
    """One KPI: may the member see it, and everything it reads (kpis.selectors.kpi_visibility_for)?
    Pages that check many KPIs ask the selector once instead."""
    return selectors.kpi_visibility_for(membership.organization).allows(membership, kpi.slug)


def builtin_text(obj, field: str = "name") -> str:
    """A built-in KPI's or metric's text (name, description, dimension) in the user's language when the
    translations have it (the catalogue's texts are English msgids); what a tenant typed stays as typed."""
    text = getattr(obj, field)
    return _(text) if obj.is_builtin and text else text


def kpi_name(kpi) -> str:
    return builtin_text(kpi)


def metric_name(metric) -> str:
    return builtin_text(metric)


def forecast_method_text(forecast, unit: str, *, today: date | None = None) -> str:
    """How a materialised forecast was made, in the user's language (the engine stores only a code and figures)."""
    from kpis.models import KpiForecast

    M = KpiForecast.Method
    basis = forecast.basis or {}
    method = forecast.method
    if method == M.TOO_EARLY:
        text = _("Too early to forecast: %(elapsed)s of the month elapsed, below %(min)s. Same month last year: "
                 "%(last_year)s.") % {
            "elapsed": format_number(Decimal(str(forecast.elapsed)), kind="percent"),
            "min": format_number(Decimal(basis.get("min_share", "0.2")), kind="percent"),
            "last_year": format_kpi_value(forecast.last_year, unit) or "–"}
    elif method == M.RUN_RATE:
        text = _("Run-rate of the %(days)s days elapsed, extended to the %(period_days)s days of the period.") % {
            "days": basis.get("days", "–"), "period_days": basis.get("period_days", "–")}
    elif method == M.SEASONAL:
        factors = basis.get("factors") or {}
        text = _("Value to date × last year's full month ÷ its first %(days)s days (seasonality %(factors)s).") % {
            "days": basis.get("days", "–"),
            "factors": ", ".join(format_number(Decimal(f), decimals=2) for f in factors.values())}
    elif method == M.SUM_OF_MONTHS:
        text = _("The closed months' actuals (%(closed)s) plus each open month's forecast.") % {
            "closed": basis.get("closed_months", 0)}
    elif method == M.RATIO_OF_FORECASTS:
        text = _("Computed from the forecasts of its numerator and denominator, never by extending the ratio.")
    elif method == M.RATIO_HELD:
        text = _("Held at its value to date: the forecasts of its inputs would give %(forecast)s, %(move)s away, "
                 "more than the %(limit)s allowed.") % {
            "forecast": format_kpi_value(Decimal(basis.get("forecast", "0")), unit),
            "move": format_number(Decimal(basis.get("move", "0")), kind="percent"),
            "limit": format_number(Decimal(str(_ratio_limit())), kind="percent")}
    elif method == M.STOCK_TREND:
        text = _("A stock: its value today plus its trend over the last 90 days.")
    elif method == M.STOCK_FLAT:
        text = _("A stock: its value today (less than 90 days of history for a trend).")
    elif method == M.LEVEL_TO_DATE:
        text = _("Its value over the period to date: an average or a rate does not grow with time.")
    elif method == M.LAST_YEAR:
        text = _("The same month last year.")
    elif method == M.CURRENT_PACE:
        text = _("The running month's pace (no same month last year).")
    elif method == M.ACTUAL:
        text = _("The period is over: its actual value.")
    elif method == M.NO_FORECAST:
        text = _("No forecast: %(reason)s") % {"reason": reason_text(basis.get("reason", ""))}
    else:
        return _("Not computed yet: the forecasts are made when the KPIs are recomputed.")
    if forecast.as_of is not None and today is not None and forecast.as_of < today:
        text += " " + _("(made on %(day)s)") % {"day": date_format(forecast.as_of, "SHORT_DATE_FORMAT")}
    return text


def _ratio_limit() -> Decimal:
    from kpis.engine.forecast import ratio_max_move

    return ratio_max_move()
