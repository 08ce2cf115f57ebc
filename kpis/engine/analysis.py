"""Forecast, driver tree, what-if and lineage (first stubs; filled in by the engine work of #4)."""

from __future__ import annotations


def forecast(org, *, kpi, period, today=None):
    from kpis.selectors import Forecast

    return Forecast(value=None, run_rate=None, seasonal_factor=None, method="not implemented yet")


def build_driver_tree(org, *, kpi):
    from kpis.selectors import DriverNode

    return DriverNode(slug=kpi.slug, name=kpi.name, kind="kpi", formula=kpi.formula, kpi=kpi)


def simulate(org, *, period, changes, dimension_value=""):
    return {}


def lineage(org, *, kpi, period, dimension_value="", metric_slug=None, page=1, page_size=50):
    return []
