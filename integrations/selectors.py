"""Reads of the integrations app: what the screens and the API show."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from integrations.models import Connection, RejectedRecord, SyncRun
from integrations.registry import available_providers


@dataclass(frozen=True)
class ProviderChoice:
    key: str
    label: str
    auth: str
    token_help: str
    is_firm: bool
    token_form: bool = True


def providers_for(org: Organization) -> list[ProviderChoice]:
    """Providers this organization may connect: firm tokens only for consultancies."""
    found = []
    for key, cls in available_providers():
        if cls.is_firm != org.is_consultancy:
            continue
        if not getattr(settings, f"{key.split('_')[0].upper()}_ENABLED", True):  # PENNYLANE_ENABLED, …
            continue
        found.append(ProviderChoice(key=key, label=str(cls.label), auth=cls.auth, token_help=str(cls.token_help),
                                    is_firm=cls.is_firm, token_form=cls.token_form))
    return found


def connections_for(org: Organization) -> list[Connection]:
    """The organization's connections (disconnected ones last) with their latest run; 2 queries.

    Only the latest run of each is read (a connection syncing hourly has thousands)."""
    latest_id = (SyncRun.objects.for_org(org).filter(connection=OuterRef("pk"))
                 .order_by("-created_at", "-id").values("id")[:1])
    connections = list(
        Connection.objects.for_org(org).select_related("parent__organization")
        .annotate(children_count=Count("children"), latest_run_id=Subquery(latest_id))
        .order_by("status", "provider", "id")
    )
    runs = SyncRun.objects.for_org(org).in_bulk([c.latest_run_id for c in connections if c.latest_run_id])
    for connection in connections:
        connection.latest_run = runs.get(connection.latest_run_id)
    connections.sort(key=lambda c: c.status == Connection.Status.DISCONNECTED)
    return connections


def sync_runs_for(org: Organization, *, connection: Connection, limit: int = 20) -> QuerySet[SyncRun]:
    return SyncRun.objects.for_org(org).filter(connection=connection).annotate(
        rejected=Count("rejections")).order_by("-created_at", "-id")[:limit]


def rejections_for(org: Organization, *, run: SyncRun, limit: int = 200) -> QuerySet[RejectedRecord]:
    return RejectedRecord.objects.for_org(org).filter(sync_run=run).order_by("id")[:limit]


def firm_children_for(org: Organization, *, firm: Connection) -> QuerySet[Connection]:
    """The client connections a consultancy's firm connection feeds (each in its client's tenant)."""
    # scoped: the children live in the clients' tenants; reached only through the consultancy's own firm row
    return Connection.objects.filter(parent=firm, parent__organization=org).select_related("organization")


def engaged_clients(org: Organization) -> QuerySet[Organization]:
    """The client companies a consultancy is engaged on."""
    from accounts.models import Engagement

    engaged = Engagement.objects.filter(consultancy=org).values("organization_id")  # scoped: the firm's own engagements
    return Organization.objects.filter(pk__in=engaged).order_by("name")  # scoped: engaged clients only


# What the records browser shows per canonical type: (label, columns, select_related, ordering).
RECORD_VIEWS: dict[str, tuple] = {
    "invoice": (_("Invoices"), [("number", _("Number")), ("get_kind_display", _("Kind")),
                                ("party", _("Customer or supplier")), ("issue_date", _("Issued")),
                                ("due_date", _("Due")), ("amount_excl_tax", _("Excl. VAT")),
                                ("amount_incl_tax", _("Incl. VAT")), ("paid_date", _("Paid")),
                                ("status_label", _("Status"))],
                ["customer", "supplier"], ["-issue_date", "-id"]),
    "payment": (_("Payments"), [("date", _("Date")), ("invoice_number", _("Invoice")),
                                ("get_kind_display", _("Kind")), ("amount", _("Amount"))],
                ["invoice"], ["-date", "-id"]),
    "customer": (_("Customers"), [("name", _("Name")), ("get_kind_display", _("Kind")), ("segment", _("Segment")),
                                  ("acquired_on", _("Since"))], [], ["name", "id"]),
    "supplier": (_("Suppliers"), [("name", _("Name"))], [], ["name", "id"]),
    "ledgerline": (_("Ledger lines"), [("date", _("Date")), ("journal", _("Journal")),
                                       ("account_number", _("Account")), ("label", _("Label")),
                                       ("debit", _("Debit")), ("credit", _("Credit"))], [], ["-date", "-id"]),
    "banktransaction": (_("Bank transactions"), [("date", _("Date")), ("label", _("Label")),
                                                 ("amount", _("Amount"))], [], ["-date", "-id"]),
    "subscription": (_("Subscriptions"), [("plan", _("Plan")), ("customer", _("Customer")), ("mrr", _("MRR")),
                                          ("started_on", _("Started")), ("ended_on", _("Ended"))],
                     ["customer"], ["-started_on", "-id"]),
    "deal": (_("Deals"), [("name", _("Name")), ("stage", _("Stage")), ("amount", _("Amount")),
                          ("created_on", _("Created")), ("close_date", _("Close date")),
                          ("owner_name", _("Owner"))], [], ["-created_on", "-id"]),
    "contact": (_("Contacts"), [("name", _("Name")), ("email", _("E-mail")), ("lifecycle_stage", _("Stage")),
                                ("created_on", _("Created"))], [], ["-created_on", "-id"]),
    "crmcompany": (_("CRM companies"), [("name", _("Name")), ("domain", _("Domain")), ("segment", _("Segment"))],
                   [], ["name", "id"]),
    # Imported or pushed. No fulfilment cost nor operational series here: the browser is for whoever sees
    # integrations (the Admin, the CRO), and those figures are cost detail for some of them.
    "order": (_("Orders"), [("number", _("Number")), ("channel", _("Channel")), ("customer", _("Customer")),
                            ("placed_at", _("Placed")), ("processed_at", _("Processed")), ("shipped_at", _("Shipped")),
                            ("delivered_on", _("Delivered")), ("units", _("Units")),
                            ("amount_excl_tax", _("Excl. VAT"))], ["customer"], ["-placed_at", "-id"]),
    "return": (_("Returns"), [("order", _("Order")), ("returned_on", _("Returned")), ("units", _("Units")),
                              ("amount", _("Amount")), ("reason", _("Reason"))], ["order"], ["-returned_on", "-id"]),
    "marketingspend": (_("Marketing spend"), [("date", _("Date")), ("channel", _("Channel")), ("amount", _("Amount"))],
                       [], ["-date", "-id"]),
    "feedback": (_("Customer feedback"), [("date", _("Date")), ("get_scale_display", _("Scale")),
                                          ("score", _("Score")), ("channel", _("Channel")),
                                          ("customer", _("Customer")), ("comment", _("Comment"))],
                 ["customer"], ["-date", "-id"]),
    # Units by line and month; the cost stays on the KPI pages, for those who read operational costs.
    "productionoutput": (_("Production output"), [("period", _("Month")), ("line", _("Production line")),
                                                  ("units", _("Units produced"))], [], ["-period", "line", "-id"]),
}

# Record types that have no browser page still need a readable name in sync-run counts.
OTHER_RECORD_TYPES = {
    "ledgeraccount": _("Ledger accounts"), "bankaccount": _("Bank accounts"), "lead": _("Leads"),
    "operationalvalue": _("Operational series"),
}


def record_type_label(model_name: str) -> str:
    """The plural, translated name of a canonical record type ("ledgerline" → "Ledger lines")."""
    if model_name in RECORD_VIEWS:
        return RECORD_VIEWS[model_name][0]
    return OTHER_RECORD_TYPES.get(model_name, model_name)


# Cost detail (`kpis.view_costs`): every charge is on the ledger and at the bank. Whoever sees integrations
# without costs (the Admin, the COO, the CRO…) browses sales, customers and operations only.
COST_DETAIL_RECORD_TYPES = frozenset({"ledgerline", "banktransaction"})


def browsable_record_types(*, with_costs: bool) -> list[str]:
    """The record types of the browser a reader may open, in its order."""
    return [key for key in RECORD_VIEWS if with_costs or key not in COST_DETAIL_RECORD_TYPES]


def records_queryset(org: Organization, *, model_name: str, source: str = "", with_costs: bool = True) -> QuerySet:
    """An organization's canonical records of one type as the browser orders them, related rows joined.

    Without costs, purchase invoices and the payments that settled them are left out."""
    from integrations.models import Invoice
    from integrations.services import CANONICAL_MODELS

    _label, _columns, related, ordering = RECORD_VIEWS[model_name]
    queryset = (CANONICAL_MODELS[model_name].objects.for_org(org)
                .select_related(*related, "provenance__by__user").order_by(*ordering))
    if not with_costs:
        if model_name in COST_DETAIL_RECORD_TYPES:
            return queryset.none()
        if model_name == "invoice":
            queryset = queryset.filter(kind=Invoice.Kind.CUSTOMER)
        elif model_name == "payment":
            queryset = queryset.filter(invoice__kind=Invoice.Kind.CUSTOMER)
    return queryset.filter(source=source) if source else queryset


def records_page(org: Organization, *, model_name: str, page: int, source: str = "", with_costs: bool = True,
                 per_page: int = 50) -> Page:
    """One page of an organization's canonical records of one type, newest first; 2 queries."""
    queryset = records_queryset(org, model_name=model_name, source=source, with_costs=with_costs)
    return Paginator(queryset, per_page).get_page(page)


def connection_source(connection: Connection) -> str:
    """The canonical `source` of the records this connection syncs."""
    from integrations.registry import connector_class

    return connector_class(connection.provider).source_key()
