"""A recompute runs with Python's cycle collector paused (its passes over the heap were 15–30 % of a full run),
and always leaves it as it found it: running again after the recompute, even one that failed."""

import gc
from datetime import date

import pytest

from kpis import services
from kpis.services import catalogue_install, kpi_values_recompute
from tests.factories import make_org
from tests.kpis.engine.records import ledger


@pytest.fixture
def company(db):
    org = make_org()
    catalogue_install(org)
    ledger(org, "706000", date(2026, 5, 10), credit=100)
    return org


def test_the_collector_is_paused_during_the_recompute_and_running_after(company, monkeypatch):
    seen = []
    original = services.compute_metrics

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "compute_metrics", spy)
    assert gc.isenabled()
    kpi_values_recompute(org=company, today=date(2026, 6, 15))
    assert seen == [False]
    assert gc.isenabled()


def test_a_failed_recompute_still_leaves_the_collector_running(company, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "compute_metrics", boom)
    with pytest.raises(RuntimeError):
        kpi_values_recompute(org=company, today=date(2026, 6, 15))
    assert gc.isenabled()


def test_a_caller_that_paused_the_collector_finds_it_paused(company):
    gc.disable()
    try:
        kpi_values_recompute(org=company, today=date(2026, 6, 15))
        assert not gc.isenabled()
    finally:
        gc.enable()
