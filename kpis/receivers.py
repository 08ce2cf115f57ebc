"""What the KPI engine does when accounts or integrations announce something (connected in `KpisConfig.ready`)."""

from __future__ import annotations

from accounts.models import Organization


def catalogue_install_for_new_company(sender, *, org: Organization, **kwargs) -> None:
    """A new company gets the catalogue of its packs in the creating transaction: its first sync computes."""
    from kpis.services import catalogue_install

    if not org.is_consultancy:
        catalogue_install(org)


def recompute_changed_periods(sender, *, org: Organization, changes, **kwargs) -> None:
    """Records changed (a sync, an import, a push): recompute the periods they touched."""
    from kpis.services import kpi_values_recompute_enqueue

    kpi_values_recompute_enqueue(org=org, changes=changes)
