"""Driver tree, what-if rows and lineage (the canonical records behind a value) for the KPI page and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.models import Membership, Organization
from kpis import selectors
from kpis.models import Kpi
from kpis.periods import Period
from kpis.presenters.common import (
    Delta,
    builtin_text,
    delta,
    format_kpi_value,
    format_number,
    kpi_name,
    metric_name,
    month_label,
    month_options,
    period_label,
)


def _node_name(node) -> str:
    if node.kpi is not None:
        return kpi_name(node.kpi)
    if node.metric is not None:
        return metric_name(node.metric)
    return node.name


@dataclass
class DriverView:
    slug: str
    name: str
    kind: str  # "kpi" | "metric" | "unknown"
    formula: str
    value_text: str
    url: str
    is_hidden: bool
    children: list[DriverView] = field(default_factory=list)
    is_fallback: bool = False  # a source the value did not use (coalesce): shown, never offered to the what-if
    computed_from: str = ""  # "Sales (class 70) (Customer invoices as fallback)" for a KPI with alternatives


@dataclass
class DriverTree:
    root: DriverView
    choices: list[tuple[str, str]]  # (slug, label) of the drivers a what-if may move
    engine_root: object = None  # the engine's DriverNode, reused for the lineage's metric list
    business: list[dict] = field(default_factory=list)  # [{"label": "Orders × Average basket", "drivers": [...]}]


def drivers_for(org: Organization, *, kpi: Kpi, membership: Membership, month: Period,
                dimension_value: str = "", visibility: selectors.Visibility | None = None) -> DriverTree:
    """The KPI's driver tree with each node's value for `month`; KPIs the member may not see stay closed.

    Business drivers (revenue = orders × average basket…) come first; the formula's alternative sources of
    the same figure are shown as "computed from: ledger (invoices as fallback)", and only what the value
    used is offered to the what-if."""
    root = selectors.driver_tree(org, kpi=kpi, period=month, dimension_value=dimension_value)
    choices: dict[str, str] = {}
    visible = (visibility or selectors.kpi_visibility_for(org)).slugs_for(membership)

    def view(node, parent_inputs: dict, depth: int, *, deep: bool = True) -> DriverView:
        hidden = node.kind in ("kpi", "metric") and node.slug not in visible
        if node.kind == "kpi":
            reading = node.reading or {}
            value = reading.get("value")
            text = "" if hidden else format_kpi_value(value, node.kpi.unit if node.kpi else Kpi.Unit.COUNT)
            inputs = reading.get("inputs") or {}
            url = "" if hidden else reverse("kpis:kpi_detail", kwargs={"org_slug": org.slug, "kpi_slug": node.slug})
        else:
            raw = (parent_inputs.get("metrics") or {}).get(node.slug)
            text = format_number(Decimal(raw), decimals=2) if raw not in (None, "") and not hidden else ""
            inputs, url = {}, ""
        if depth > 0 and not hidden and not node.is_fallback:
            kind_label = _("KPI") if node.kind == "kpi" else _("metric")
            choices.setdefault(node.slug, f"{_node_name(node)} ({kind_label})")
        children = [] if hidden or not deep else [view(child, inputs, depth + 1) for child in node.children]
        computed_from = ""
        used = [c.name for c in children if not c.is_fallback]
        spare = [c.name for c in children if c.is_fallback]
        if spare and used:
            computed_from = _("Computed from: %(used)s (%(fallback)s as fallback)") % {
                "used": ", ".join(used), "fallback": ", ".join(spare)}
        return DriverView(slug=node.slug, name=_node_name(node), kind=node.kind, formula="" if hidden else node.formula,
                          value_text=text, url=url, is_hidden=hidden, children=children,
                          is_fallback=node.is_fallback, computed_from=computed_from)

    tree = view(root, {}, 0)
    business = []
    for group in root.business:
        offered = dict(choices)
        drivers = [view(n, (root.reading or {}).get("inputs") or {}, 1, deep=False) for n in group]
        if any(d.is_hidden or (d.kind == "kpi" and not d.value_text) for d in drivers):
            choices.clear()
            choices.update(offered)  # a group without values this month (no leads at a shop) is not offered
            continue
        business.append({"label": " × ".join(d.name for d in drivers), "drivers": drivers})
    return DriverTree(root=tree, choices=sorted(choices.items(), key=lambda c: c[1].lower()), engine_root=root,
                      business=business)


def what_if_summary(*, driver: str, mode: str, amount: Decimal, month: Period) -> str:
    """"Sales changed by +10.0 % in October 2026:" / "Sales set to 2,000.00 in October 2026:"."""
    if mode == "pct":
        amount_text = ("+" if amount > 0 else "") + format_number(amount, decimals=1) + " %"
        return _("%(driver)s changed by %(amount)s in %(month)s:") % {
            "driver": driver, "amount": amount_text, "month": month_label(month)}
    return _("%(driver)s set to %(amount)s in %(month)s:") % {
        "driver": driver, "amount": format_number(amount, decimals=2), "month": month_label(month)}


@dataclass
class WhatIfRow:
    kpi: Kpi
    name: str
    url: str
    before_text: str
    after_text: str
    delta: Delta | None
    is_changed: bool


def what_if_rows(org: Organization, *, membership: Membership,
                 results: dict[str, tuple[Decimal | None, Decimal | None]],
                 visibility: selectors.Visibility | None = None) -> list[WhatIfRow]:
    """The engine's {slug: (before, after)} as rows, only for KPIs the member may see; 3 queries."""
    kpis = {k.slug: k for k in Kpi.objects.for_org(org).filter(slug__in=list(results))}
    visible = (visibility or selectors.kpi_visibility_for(org)).kpi_slugs_for(membership)
    rows = []
    for slug, (before, after) in results.items():
        kpi = kpis.get(slug)
        if kpi is None or slug not in visible:
            continue
        rows.append(WhatIfRow(
            kpi=kpi, name=kpi_name(kpi), url=reverse("kpis:kpi_detail", kwargs={"org_slug": org.slug, "kpi_slug": slug}),
            before_text=format_kpi_value(before, kpi.unit, precise=True),
            after_text=format_kpi_value(after, kpi.unit, precise=True),
            delta=delta(kpi, after, before), is_changed=before != after,
        ))
    rows.sort(key=lambda r: (not r.is_changed, r.kpi.category, r.kpi.sort_order, r.kpi.slug))
    return rows


LINEAGE_COLUMNS: dict[str, list[tuple[str, object]]] = {
    "invoice": [("number", _l("Number")), ("kind", _l("Kind")), ("issue_date", _l("Issued")),
                ("due_date", _l("Due")), ("paid_date", _l("Paid")), ("amount_excl_tax", _l("Excl. VAT")),
                ("amount_incl_tax", _l("Incl. VAT")), ("remaining_amount_incl_tax", _l("Still due"))],
    "payment": [("date", _l("Date")), ("amount", _l("Amount"))],
    "ledgerline": [("date", _l("Date")), ("account_number", _l("Account")), ("journal", _l("Journal")),
                   ("label", _l("Label")), ("debit", _l("Debit")), ("credit", _l("Credit"))],
    "banktransaction": [("date", _l("Date")), ("label", _l("Label")), ("amount", _l("Amount"))],
    "customer": [("name", _l("Name")), ("segment", _l("Segment")), ("acquired_on", _l("Acquired")),
                 ("churned_on", _l("Churned"))],
    "contact": [("name", _l("Name")), ("lifecycle_stage", _l("Stage")), ("source_channel", _l("Channel")),
                ("created_on", _l("Created"))],
    "deal": [("name", _l("Deal")), ("pipeline", _l("Pipeline")), ("stage", _l("Stage")),
             ("created_on", _l("Created")), ("close_date", _l("Close date")), ("is_won", _l("Won")),
             ("amount", _l("Amount"))],
    "lead": [("created_on", _l("Created")), ("source_channel", _l("Channel")), ("converted_on", _l("Converted"))],
    "subscription": [("plan", _l("Plan")), ("started_on", _l("Started")), ("ended_on", _l("Ended")),
                     ("mrr", _l("MRR"))],
    "order": [("number", _l("Order")), ("channel", _l("Channel")), ("placed_at", _l("Placed")),
              ("processed_at", _l("Processed")), ("shipped_at", _l("Shipped")), ("promised_on", _l("Promised")), ("delivered_on", _l("Delivered")),
              ("units", _l("Units")), ("amount_excl_tax", _l("Excl. VAT"))],
    "return": [("returned_on", _l("Returned")), ("units", _l("Units")), ("amount", _l("Amount")),
               ("reason", _l("Reason"))],
    "marketingspend": [("date", _l("Date")), ("channel", _l("Channel")), ("amount", _l("Amount"))],
    "operationalvalue": [("series", _l("Series")), ("date", _l("Date")), ("dimension", _l("Dimension")),
                         ("value", _l("Value"))],
    # No cost column: lineage has no capability of its own, and units produced are seen by every role.
    "productionoutput": [("period", _l("Month")), ("line", _l("Production line")), ("units", _l("Units produced"))],
    "feedback": [("date", _l("Date")), ("scale", _l("Scale")), ("score", _l("Score")), ("channel", _l("Channel")),
                 ("comment", _l("Comment"))],
}


def _cell(record, name: str) -> tuple[str, bool]:
    """(text, is_numeric) of one field of a canonical record, in the user's locale."""
    value = getattr(record, name, None)
    if value is None or value == "":
        return "", False
    try:
        model_field = record._meta.get_field(name)
    except FieldDoesNotExist:
        model_field = None
    if isinstance(value, bool):
        return (_("Yes") if value else _("No")), False
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT"), False
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT"), False
    if isinstance(value, Decimal):
        is_money = getattr(model_field, "decimal_places", None) == 2
        return format_number(value, kind="currency" if is_money else "decimal", decimals=2), True
    if isinstance(value, int):
        return format_number(value), True
    if model_field is not None and getattr(model_field, "choices", None):
        return str(getattr(record, f"get_{name}_display")()), False
    return str(value), False


@dataclass
class LineageView:
    metric_slug: str
    metric_name: str
    metric_description: str
    record_type_label: str
    period_label: str
    columns: list[str]
    rows: list[dict]
    total: int
    page: int
    pages: int
    has_next: bool
    has_previous: bool
    first_index: int
    last_index: int


def lineage_view(page) -> LineageView:
    """One page of the records behind one metric, as table rows."""
    metric = page.metric
    columns = LINEAGE_COLUMNS.get(metric.record_type, [])
    rows = []
    for record in page.records:
        cells = [_cell(record, name) for name, _label in columns]
        provenance = record.provenance.describe() if record.provenance_id else ""
        rows.append({"source": record.get_source_display(), "provenance": provenance, "external_id": record.external_id,
                     "is_deleted": getattr(record, "is_deleted", False), "cells": cells})
    pages = max(1, -(-page.total // page.page_size))
    first = (page.page - 1) * page.page_size + 1 if page.total else 0
    return LineageView(
        metric_slug=metric.slug, metric_name=metric_name(metric), metric_description=builtin_text(metric, "description"),
        record_type_label=str(metric.get_record_type_display()), period_label=period_label(page.period),
        columns=[str(label) for _name, label in columns], rows=rows, total=page.total, page=page.page,
        pages=pages, has_next=page.has_next, has_previous=page.page > 1,
        first_index=first, last_index=first + len(rows) - 1 if rows else 0,
    )


@dataclass
class Lineage:
    month_value: str
    month_options: list[dict]
    dimension_value: str
    metric_slug: str
    metric_choices: list[tuple[str, str]]
    metric_value_text: str
    view: LineageView | None


def tree_metrics(root) -> list:
    """The metrics of every metric node of an engine driver tree (selectors.driver_tree), in reading order."""
    found: dict[str, object] = {}

    def walk(node) -> None:
        if node.kind == "metric" and node.metric is not None:
            found.setdefault(node.slug, node.metric)
        for child in node.children:
            walk(child)

    walk(root)
    return list(found.values())


def metric_choices(root) -> list[tuple[str, str]]:
    """Every metric in the KPI's driver tree (the records behind sub-KPIs too), in reading order: those the
    value used first, then the fallbacks it did not use (coalesce), marked as such."""
    used: dict[str, str] = {}
    spare: dict[str, str] = {}

    def walk(node) -> None:
        if node.kind == "metric":
            if node.is_fallback:
                spare.setdefault(node.slug, _("%(metric)s (fallback, not used)") % {"metric": _node_name(node)})
            else:
                used.setdefault(node.slug, _node_name(node))
        for child in node.children:
            walk(child)

    walk(root)
    return list(used.items()) + [(slug, name) for slug, name in spare.items() if slug not in used]


def lineage_for(org: Organization, *, kpi: Kpi, month: Period, metric_slug: str, page: int,
                dimension_value: str = "", page_size: int = 25, today: date | None = None, root=None) -> Lineage:
    """The records behind one metric of the KPI for one month, one page at a time."""
    root = root or selectors.driver_tree(org, kpi=kpi, period=month, dimension_value=dimension_value)
    choices = metric_choices(root)
    slugs = [slug for slug, _name in choices]
    if metric_slug not in slugs:
        metric_slug = slugs[0] if slugs else ""
    view = None
    value_text = ""
    if metric_slug:
        pages = selectors.kpi_lineage(org, kpi=kpi, period=month, dimension_value=dimension_value,
                                      metric_slug=metric_slug, page=max(1, page), page_size=page_size)
        if pages:
            view = lineage_view(pages[0])
            # The driver tree read the KPI's value of this month with its inputs already.
            inputs = (root.reading or {}).get("inputs") or {}
            raw = (inputs.get("metrics") or {}).get(metric_slug)
            if raw not in (None, ""):
                value_text = format_number(Decimal(raw), decimals=2)
    return Lineage(month_value=month.start.strftime("%Y-%m"),
                   month_options=month_options(org, selected=month, today=today),
                   dimension_value=dimension_value, metric_slug=metric_slug, metric_choices=choices,
                   metric_value_text=value_text, view=view)


def lineage_record_data(record, record_type: str) -> dict:
    """A canonical record for the API: the fields that matter for its type, JSON-friendly (amounts as strings)."""
    data = {}
    for name, _label in LINEAGE_COLUMNS.get(record_type, []):
        value = getattr(record, name, None)
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        data[name] = value
    return {"id": record.pk, "source": record.source, "external_id": record.external_id,
            "provenance": record.provenance.describe() if record.provenance_id else "",
            "is_deleted": getattr(record, "is_deleted", False), "fields": data}
