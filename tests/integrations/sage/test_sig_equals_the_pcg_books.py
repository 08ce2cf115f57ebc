"""The SIG chain computed from Sage — the French edition read as PCG, and a UK chart through the default
type mapping plus the CFO's one re-mapping (wages out of the overheads) — equals the same books kept in
PCG accounts as Pennylane sends them."""

from datetime import date
from decimal import Decimal

from integrations.base import Record
from integrations.fakes.sage_scenario import ACCOUNTS, demo_business
from integrations.http import mount_transport
from integrations.mapping import ledger_account_remap
from integrations.models import LedgerAccount
from integrations.services import connection_sync, records_upsert
from kpis.models import KpiValue
from kpis.services import catalogue_install, kpi_values_recompute
from tests.integrations.sage.conftest import BASE, sage_connection, sage_fake_for

SIG = ["revenue", "commercial_margin", "value_added", "ebe", "operating_result", "current_result", "net_result"]


def _pcg_books(business) -> list[Record]:
    """The fake business's ledger entries posted straight into PCG accounts (no mapping involved)."""
    number_of = {f"la-{key}": fr for key, (fr, *_rest) in ACCOUNTS.items()}
    records = [Record(model="ledgeraccount", external_id=n, fields={"number": n, "label": n}) for n in number_of.values()]
    for entry in business.objects["ledger_entries"].values():
        number = number_of[entry["ledger_account"]["id"]]
        records.append(Record(model="ledgerline", external_id=entry["id"], fields={
            "account_external_id": number, "account_number": number, "date": date.fromisoformat(entry["date"]),
            "debit": Decimal(entry["debit"]), "credit": Decimal(entry["credit"]), "journal": "OD",
            "entry_external_id": entry["transaction"]["id"]}))
    return records


def _sig(org) -> dict[tuple[str, object], Decimal]:
    return {(v.kpi.slug, v.period_start): v.value for v in
            KpiValue.objects.for_org(org).filter(kpi__slug__in=SIG, grain="month", dimension_value="")
            .select_related("kpi")}


def _compare(sage_org, pcg_org, business):
    records_upsert(org=pcg_org, source="pennylane", records=_pcg_books(business))
    for org in (sage_org, pcg_org):
        catalogue_install(org)
        kpi_values_recompute(org=org)
    from_sage, from_pcg = _sig(sage_org), _sig(pcg_org)
    assert from_pcg and any(v for v in from_pcg.values())
    assert from_sage == from_pcg


def test_the_sig_from_the_french_edition_equals_the_pcg_books(acme, globex, sage, sage_fake):
    connection_sync(connection=sage)

    _compare(acme, globex, sage_fake.business)


def test_the_sig_from_a_uk_chart_once_wages_are_remapped_equals_the_pcg_books(acme, globex, alice, settings):
    business = demo_business(today=date.today(), country="GB")
    sage_fake_for(settings, business)
    try:
        connection = sage_connection(acme, country="GB")
        connection_sync(connection=connection)
        wages = LedgerAccount.objects.for_org(acme).get(external_id="la-wages")
        assert (wages.classification, wages.pcg_number) == ("OVERHEADS", "62")
        ledger_account_remap(account=wages, pcg_number="641", by=alice)
        goods = LedgerAccount.objects.for_org(acme).get(external_id="la-goods")
        ledger_account_remap(account=goods, pcg_number="707", by=alice)  # goods for resale, not services

        _compare(acme, globex, business)
    finally:
        mount_transport(BASE, None)
