"""`manage.py kpis_recompute [--org slug]` repairs the materialised values."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kpis.catalogue import load_catalogue
from kpis.models import KpiValue
from tests.kpis.engine.records import ledger


def test_full_recompute_of_one_company(catalogue, globex):
    ledger(catalogue, "706000", date(2026, 3, 10), credit=100)
    out = StringIO()
    call_command("kpis_recompute", "--org", "acme", stdout=out)
    assert out.getvalue().startswith(f"acme: {len(load_catalogue().kpis)} KPIs")  # the whole built-in catalogue
    assert KpiValue.objects.for_org(catalogue).filter(kpi__slug="revenue", value=100).exists()
    assert not KpiValue.objects.for_org(globex).exists()


def test_an_unknown_company_is_an_error(db):
    with pytest.raises(CommandError):
        call_command("kpis_recompute", "--org", "nope")
