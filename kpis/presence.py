"""Which records a company has, materialised by each recompute (`KpiDataPresence`) and read by the pages.

The catalogue's "what would feed it" and the KPI page's unmapped-accounts warning used to ask the raw tables on
every view; the recompute already runs after every sync, import and mapping change, so it refreshes one row
and pages read it (issue #13: no raw record at render). A company never recomputed has no row: pages then ask
the records themselves, once, as before."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import Organization
from kpis.models import KpiDataPresence


def _live_record_types(org: Organization) -> set[str]:
    from kpis.engine.records import RECORD_MODELS

    return {rt for rt, model in RECORD_MODELS.items() if model.objects.for_org(org).filter(is_deleted=False).exists()}


def data_presence_refresh(org: Organization) -> KpiDataPresence:
    """One query per record type, one for the unmapped ledger and one for the row; written only when it changed,
    so a recompute that changes nothing writes nothing."""
    from integrations.mapping import unmapped_summary_for

    unmapped = unmapped_summary_for(org)
    found = {"record_types": sorted(_live_record_types(org)), "unmapped_accounts": unmapped.accounts,
             "unmapped_amount": Decimal(unmapped.amount).quantize(Decimal("0.01"))}
    presence = KpiDataPresence.objects.for_org(org).first()
    if presence is None:
        return KpiDataPresence.objects.create(organization=org, **found)
    if any(getattr(presence, name) != value for name, value in found.items()):
        for name, value in found.items():
            setattr(presence, name, value)
        presence.save(update_fields=[*found, "refreshed_at"])
    return presence


def data_presence_for(org: Organization) -> KpiDataPresence:
    """The materialised row (1 query), or what the records say now for a company never recomputed."""
    presence = KpiDataPresence.objects.for_org(org).first()
    if presence is not None:
        return presence
    from integrations.mapping import unmapped_summary_for

    unmapped = unmapped_summary_for(org)
    return KpiDataPresence(organization=org, record_types=sorted(_live_record_types(org)),
                           unmapped_accounts=unmapped.accounts, unmapped_amount=unmapped.amount or Decimal(0))
