"""What the route walkers need to know about the KPI routes (see tests/isolation_registry.py)."""

import itertools

_seq = itertools.count(1)


def _kpi_slug(org) -> str:
    # A slug no other tenant has, so that "another tenant's KPI under one's own slug" is really absent.
    from kpis.models import Kpi

    return Kpi.objects.create(organization=org, slug=f"walker_kpi_{next(_seq)}", name="Walker KPI",
                              formula="1").slug


URL_KWARG_FACTORIES = {
    "kpi_slug": _kpi_slug,
}
URL_KWARG_FACTORIES["slug@kpis.kpi"] = _kpi_slug
