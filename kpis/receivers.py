"""What the KPI engine does when accounts announces something (connected in `KpisConfig.ready`)."""

from __future__ import annotations

from accounts.models import Organization


def catalogue_install_for_new_company(sender, *, org: Organization, **kwargs) -> None:
    """A new company gets the catalogue of its packs in the creating transaction: its first sync computes."""
    from kpis.services import catalogue_install

    if not org.is_consultancy:
        catalogue_install(org)
