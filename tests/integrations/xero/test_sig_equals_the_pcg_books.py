"""The SIG chain computed from the Xero organisation's journals, through the default PCG mapping and the
CFO's two re-mappings, equals the same books kept natively in PCG accounts as Pennylane sends them."""

from datetime import date
from decimal import Decimal

from integrations.base import Record
from integrations.fakes.xero_scenario import demo_tenant
from integrations.mapping import ledger_account_remap
from integrations.models import LedgerAccount
from integrations.providers.xero.mapping import ledger_lines
from integrations.services import connection_sync, records_upsert
from kpis.models import KpiValue
from kpis.services import catalogue_install, kpi_values_recompute

SIG = ["revenue", "commercial_margin", "value_added", "ebe", "operating_result", "current_result", "net_result"]
# The same books, account by account (Xero codes), as a French bookkeeper would have kept them in PCG numbers.
PCG_OF = {"200": "707000", "270": "750000", "310": "607000", "469": "620000", "477": "641000", "429": "620000",
          "090": "512000", "610": "411000", "800": "401000", "820": "445710"}


def _pcg_books(tenant) -> list[Record]:
    """The fake organisation's journals posted straight into PCG accounts (no mapping involved)."""
    code_of = {a["AccountID"]: a["Code"] for a in tenant.objects["Accounts"].values()}
    records = [Record(model="ledgeraccount", external_id=n, fields={"number": n, "label": n}) for n in set(PCG_OF.values())]
    for journal in tenant.journals:
        for line in ledger_lines(journal):
            number = PCG_OF[code_of[line.fields["account_external_id"]]]
            fields = {**line.fields, "account_external_id": number, "account_number": number}
            records.append(Record(model="ledgerline", external_id=line.external_id, fields=fields))
    return records


def _sig(org) -> dict[tuple[str, object], Decimal]:
    return {(v.kpi.slug, v.period_start): v.value for v in
            KpiValue.objects.for_org(org).filter(kpi__slug__in=SIG, grain="month", dimension_value="")
            .select_related("kpi")}


def test_the_sig_from_xero_equals_the_sig_from_the_same_books_in_pcg(acme, globex, alice, xero, xero_fake):
    connection_sync(connection=xero)
    sundry = LedgerAccount.objects.for_org(acme).get(number="429")
    ledger_account_remap(account=sundry, pcg_number="62", by=alice)
    wages = LedgerAccount.objects.for_org(acme).get(number="477")  # OVERHEADS: 62 by default, wages in fact
    ledger_account_remap(account=wages, pcg_number="641", by=alice)
    records_upsert(org=globex, source="pennylane", records=_pcg_books(xero_fake.tenant))
    for org in (acme, globex):
        catalogue_install(org)
        kpi_values_recompute(org=org)

    from_xero, from_pcg = _sig(acme), _sig(globex)

    assert from_pcg and any(v for v in from_pcg.values())
    assert from_xero == from_pcg


def test_the_fakes_books_are_the_same_every_time_they_are_built():
    today = date.today()
    first, second = demo_tenant(today=today), demo_tenant(today=today)

    assert [len(j["JournalLines"]) for j in first.journals] == [len(j["JournalLines"]) for j in second.journals]
    assert sorted(first.objects["Accounts"]) == sorted(second.objects["Accounts"])
