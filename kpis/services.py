"""Writes of the KPI engine. Other apps hand changes to the engine only through this module."""

from __future__ import annotations

from datetime import date

from accounts.models import Organization


def kpi_values_recompute_enqueue(*, org: Organization, changes: dict[str, set[date]]) -> None:
    """Ask for a recompute of the periods containing these dates, for KPIs that read these record types.

    `changes` maps a canonical model name ("invoice", "ledgerline", "deal", …) to the dates
    (each record's date field) that a sync or import created, updated or deleted. Debounced per
    organization; call it after the commit (transaction.on_commit).
    """
    # TODO(#4): the KPI engine fills this in.
    return None
