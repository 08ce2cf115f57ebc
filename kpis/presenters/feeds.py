"""What would feed a KPI that has no value: one plain, translated line per missing record type, and
plain words for the engine's no-value reasons. Engine strings never reach users."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.models import Organization
from kpis import selectors
from kpis.engine.compute import Graph
from kpis.models import Kpi, Metric

# Record type → what would bring it in (integrations/registry.py and the imports); the most specific first,
# since a KPI missing several sources says the first one.
FEEDS = {
    "subscription": _l("Needs subscription data: connect Pennylane billing or import subscriptions"),
    "order": _l("Needs order data: import your orders"),
    "return": _l("Needs return data: import your returns"),
    "deal": _l("Needs deal data: connect HubSpot"),
    "lead": _l("Needs lead data: connect HubSpot"),
    "contact": _l("Needs contacts: connect HubSpot"),
    "marketingspend": _l("Needs marketing spend by channel: import it"),
    "productionoutput": _l("Needs production by line (units and cost per month): import it or push it with an API key"),
    "operationalvalue": _l("Needs an operational series (budget, capacity, units produced): upload it"),
    "budgetline": _l("Needs a budget: type it on the Budgets page or import it"),
    "feedback": _l("Needs customer feedback (NPS or CSAT answers): import it or push it with an API key"),
    "ledgerline": _l("Needs the accounting ledger: connect Pennylane"),
    "invoice": _l("Needs customer invoices: connect Pennylane"),
    "payment": _l("Needs payments: connect Pennylane"),
    "banktransaction": _l("Needs bank transactions: connect Pennylane or your bank"),
    "customer": _l("Needs customer data: connect Pennylane or HubSpot"),
}


def blocking_record_types(graph: Graph, slug: str, *, with_values: set[str]) -> list[str]:
    """The record types read by the metrics behind a KPI without values, not descending into the KPIs it
    reads that do have values (LTV's gross margin has data; its ARPA waits for subscriptions)."""
    types, seen, frontier = set(), set(), [slug]
    while frontier:
        current = frontier.pop()
        if current in seen:
            continue
        seen.add(current)
        for ref in graph.reads.get(current, ()):
            if ref in graph.metrics:
                types.add(graph.metrics[ref].record_type)
            elif ref in graph.kpis and ref not in with_values:
                frontier.append(ref)
    return [rt for rt in FEEDS if rt in types]


def waiting_for_data(org: Organization, *, kpis: list[Kpi]) -> dict[int, str]:
    """{KPI id: what would feed it} for the KPIs that have never had a value; a fixed number of queries
    (values, the tenant's KPIs and metrics, one per record type involved)."""
    with_values = selectors.kpis_with_values(org)
    empty = [k for k in kpis if k.pk not in with_values]
    if not empty:
        return {}
    graph = Graph.build(Kpi.objects.for_org(org), Metric.objects.for_org(org))
    slugs_with_values = {k.slug for k in graph.kpis.values() if k.pk in with_values}
    needed = {k.slug: blocking_record_types(graph, k.slug, with_values=slugs_with_values) for k in empty}
    present = selectors.record_types_present(org, record_types={rt for types in needed.values() for rt in types})
    out = {}
    for kpi in empty:
        missing = [rt for rt in needed[kpi.slug] if rt not in present]
        out[kpi.pk] = str(FEEDS[missing[0]]) if missing else _("Waiting for enough data to compute it")
    return out


def reason_text(reason: str) -> str:
    """The engine's no-value reason in plain words of the user's language."""
    if "no target set" in reason:
        return _("Needs a target for the period")
    if "division by zero" in reason:
        return _("Not computable this period: a divisor is zero")
    if "invalid formula" in reason or "unknown input" in reason:
        return _("The formula needs fixing")
    return _("No data for this period")


# The engine writes its forecast methods in English (kept as written in the API and the logs); pages show them
# through this table, one translated message per sentence, with the figures put back in. A sentence the table
# does not know is shown in plain words rather than in the engine's.
