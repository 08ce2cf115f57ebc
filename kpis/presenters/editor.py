"""The formula editor's live check: syntax errors with their position, references, cycles and a preview."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import Membership, Organization
from kpis import selectors
from kpis.models import Kpi, KpiTarget, KpiValue
from kpis.presenters.common import format_kpi_value, kpi_name, metric_name, month_label
from kpis.visibility import formula_inputs


@dataclass
class FormulaCheck:
    formula: str
    error: str = ""
    position: int | None = None
    caret: tuple[str, str, str] = ("", "", "")  # text before, at and after the error position
    references: list[dict] = field(default_factory=list)
    cycle: list[str] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    # The capability the new KPI needs at least, when it reads restricted KPIs (directly or not).
    required_visibility: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.formula.strip()

    @property
    def is_valid(self) -> bool:
        return not self.is_empty and not self.error


def _caret(text: str, position: int | None) -> tuple[str, str, str]:
    if position is None:
        return ("", "", "")
    position = max(0, min(position, len(text)))
    at = text[position:position + 1] or " "
    return (text[:position], at, text[position + 1:])


def formula_check(org: Organization, *, formula: str, membership: Membership, slug: str = "",
                  unit: str = Kpi.Unit.EUR, today: date | None = None, preview_months: int = 6) -> FormulaCheck:
    """Parse the formula, name each reference, refuse unknown ones and cycles, and preview recent values.

    Metrics and KPIs the member may not see count as unknown, so the editor never reveals them (nor
    previews them). Nothing is saved.
    """
    from kpis.engine.compute import stored_value
    from kpis.engine.formula import (
        FormulaError,
        NoValue,
        evaluate,
        find_cycle,
        parse,
        reference_positions,
        references,
    )

    check = FormulaCheck(formula=formula)
    if check.is_empty:
        return check
    try:
        node = parse(formula)
    except FormulaError as exc:
        check.error, check.position = translate_formula_error(exc.message), exc.position
        check.caret = _caret(formula, exc.position)
        return check

    kpis = {k.slug: k for k in Kpi.objects.for_org(org).only(
        "slug", "name", "formula", "unit", "visibility_capability", "is_builtin")}
    visibility = selectors.kpi_visibility_for(org, exclude_kpi=slug)
    seen_slugs = visibility.slugs_for(membership)
    metrics = {m.slug: m for m in selectors.metrics_of(org) if m.slug in seen_slugs}
    visible = {s: k for s, k in kpis.items() if s in seen_slugs and s != slug}
    seen: set[str] = set()
    for name, pos in reference_positions(node):
        if name in seen:
            continue
        seen.add(name)
        if name == slug and slug:
            check.references.append({"slug": name, "name": _("this KPI"), "kind": "self", "known": True})
            continue
        if name in visible:
            check.references.append({"slug": name, "name": kpi_name(visible[name]), "kind": "kpi", "known": True})
        elif name in metrics:
            check.references.append({"slug": name, "name": metric_name(metrics[name]), "kind": "metric", "known": True})
        else:
            check.references.append({"slug": name, "name": "", "kind": "unknown", "known": False})
            if not check.error:
                check.error = _("Unknown metric or KPI “%(name)s”.") % {"name": name}
                check.position = pos
                check.caret = _caret(formula, pos)
    if check.error:
        return check

    own = slug or "__new_kpi__"
    graph: dict[str, set[str]] = {}
    for k in kpis.values():
        try:
            graph[k.slug] = references(parse(k.formula))
        except FormulaError:
            graph[k.slug] = set()
    graph[own] = references(node)
    cycle = find_cycle({s: {r for r in reads if r in graph} for s, reads in graph.items()})
    if cycle and own in cycle:
        loop = cycle[:-1]  # [a, b, a] → read it from the KPI being edited: [own, …, own]
        start = loop.index(own)
        loop = [*loop[start:], *loop[:start], own]
        check.cycle = [kpi_name(kpis[s]) if s in kpis else _("this KPI") for s in loop]
        check.error = _("Circular reference: %(path)s. A KPI cannot depend on itself.") % {
            "path": " → ".join(check.cycle)}
        return check

    restricted = sorted(visibility.required_by(formula_inputs(formula)) - {"kpis.view"})
    check.required_visibility = restricted[0] if restricted else ""

    # Preview on materialised figures: referenced KPIs' values, and metric values as KPIs recorded them.
    current = selectors.current_period(org, today=today)
    months = [current]
    for _i in range(preview_months - 1):
        months.insert(0, months[0].previous())
    starts = [m.start for m in months]
    env_by_month: dict[date, dict] = {s: {} for s in starts}
    rows = KpiValue.objects.for_org(org).filter(grain="month", dimension_value="", period_start__in=starts) \
        .values_list("kpi__slug", "period_start", "value", "no_value_reason", "inputs")
    for kpi_slug, start, value, reason, inputs in rows:
        env = env_by_month[start]
        env[kpi_slug] = value if value is not None else NoValue(reason or "no value")
        for metric_slug, raw in ((inputs or {}).get("metrics") or {}).items():
            if metric_slug not in env or isinstance(env[metric_slug], NoValue):
                env[metric_slug] = Decimal(raw) if raw not in (None, "") else NoValue("no value")
    targets = {(t.kpi.slug, t.period_start): t.value for t in KpiTarget.objects.for_org(org).filter(
        grain="month", period_start__in=starts).select_related("kpi")}
    for month in reversed(months):
        env = {name: v for name, v in env_by_month[month.start].items() if name in visible or name in metrics}
        month_targets = {s: v for (s, start), v in targets.items() if start == month.start and s in visible}
        result = evaluate(node, env, targets=month_targets, period_days=month.days, period_months=1)
        if not isinstance(result, NoValue):  # as the engine would store it, so the preview formats what it keeps
            result = stored_value(result)
            result = NoValue(_("value out of range")) if result is None else result
        is_value = not isinstance(result, NoValue)
        label = month_label(month)
        if month == current:
            label = _("%(month)s (to date)") % {"month": label}
        check.preview.append({
            "label": label,
            "value_text": format_kpi_value(result, unit, precise=True) if is_value else "",
            "reason": "" if is_value else result.reason,
        })
    return check


def translate_formula_error(message: str) -> str:
    """The engine's parse messages are English; the ones it has today are shown in the user's language."""
    known = [
        (r"Unexpected character '(?P<a>.*)'", lambda m: _("Unexpected character “%(a)s”.") % m),
        (r"Unexpected '(?P<a>.*)'", lambda m: _("Unexpected “%(a)s”.") % m),
        (r"Expected '(?P<a>.*)', found (?P<b>.*)", lambda m: _("Expected “%(a)s”, found %(b)s.") % m),
        (r"The formula is empty", lambda m: _("The formula is empty.")),
        (r"The formula ends too early", lambda m: _("The formula ends too early.")),
        (r"Comparisons cannot be chained", lambda m: _("Comparisons cannot be chained.")),
        (r"(?P<a>\w+)\(\) is a function: add its arguments in parentheses",
         lambda m: _("%(a)s() is a function: add its arguments in parentheses.") % m),
        (r"Unknown function '(?P<a>[^']*)' \(allowed: (?P<b>.*)\)",
         lambda m: _("Unknown function “%(a)s” (allowed: %(b)s).") % m),
        (r"(?P<a>\w+)\(\) takes (?P<b>.*) argument\(s\), got (?P<c>\d+)",
         lambda m: _("%(a)s() takes %(b)s argument(s), got %(c)s.") % m),
        (r"target\(\) takes a KPI slug", lambda m: _("target() takes the reference of a KPI.")),
        (r"Unknown metric or KPI '(?P<a>.*)'", lambda m: _("Unknown metric or KPI “%(a)s”.") % m),
        (r"The formula is too long \((?P<a>\d+) characters at most\)",
         lambda m: _("The formula is too long (%(a)s characters at most).") % m),
        (r"The formula is nested too deeply \((?P<a>\d+) levels at most\)",
         lambda m: _("The formula is nested too deeply (%(a)s levels of parentheses, functions, signs or chained "
                     "operations at most): move a part into a KPI of its own.") % m),
        (r"This number is too long \((?P<a>\d+) digits at most\)",
         lambda m: _("This number is too long (%(a)s digits at most).") % m),
    ]
    for pattern, text in known:
        match = re.fullmatch(pattern, message)
        if match:
            return text(match.groupdict())
    return message


def reference_help(org: Organization, *, membership: Membership, exclude: str = "") -> dict:
    """What a formula may refer to: the metrics, and the KPIs the member may see; 2 queries."""
    visible = selectors.kpi_visibility_for(org).slugs_for(membership)
    kpis = [k for k in Kpi.objects.for_org(org).filter(is_active=True).only(
        "slug", "name", "visibility_capability", "category", "sort_order", "is_builtin") if k.slug in visible
        and k.slug != exclude]
    return {"kpis": [(k.slug, kpi_name(k)) for k in kpis],
            "metrics": [(m.slug, metric_name(m), str(m.get_record_type_display())) for m in selectors.metrics_of(org)
                        if m.slug in visible]}


