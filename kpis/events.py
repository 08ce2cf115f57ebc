"""What the KPI engine announces to the apps above it (they subscribe in their AppConfig.ready()).

`kpi_values_recomputed` is sent after the recompute's transaction commits, with `org` and `kpi_slugs`
(the KPIs whose values were rewritten), so that alerts judge the new figures.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from accounts.models import Organization

kpi_values_recomputed = Signal()


def kpi_values_recomputed_announce(*, org: Organization, kpi_slugs: set[str]) -> None:
    if kpi_slugs:
        slugs = set(kpi_slugs)
        transaction.on_commit(lambda: kpi_values_recomputed.send(sender=Organization, org=org, kpi_slugs=slugs))
