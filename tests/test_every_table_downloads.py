"""Every table a person reads downloads as CSV and .xlsx from its page (`?export=csv|xlsx`), through the one
helper of accounts/exports.py, guarded like the page: the same capability, the same tenant, the same rows
(a KPI the reader may not see is not in the file), formula-like text neutralised, and a constant number of
queries however many rows."""

import csv
import io
from datetime import date, datetime, timezone as tz
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from accounts.capabilities import Role
from integrations.models import Order, ProductionOutput, Source, SyncRun
from integrations.selectors import RECORD_VIEWS, browsable_record_types
from kpis.services import catalogue_install
from tests.factories import make_member
from tests.integrations.conftest import make_connection
from tests.objectives.helpers import make_objective


@pytest.fixture(autouse=True)
def _english_and_clean_cache():
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


def _csv(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _orders(org, n, start=0):
    Order.objects.bulk_create([Order(organization=org, source=Source.UPLOAD, external_id=f"O-{i}", number=f"O-{i}",
                                     channel="=cmd|' /C calc'!A0" if i == 0 else "web",
                                     placed_at=datetime(2026, 3, 1 + i % 28, 10, tzinfo=tz.utc),
                                     amount_excl_tax=Decimal("10.50")) for i in range(start, start + n)])


def test_the_records_browser_downloads_every_record_of_its_type_neutralised(client, acme, acme_ceo):
    _orders(acme, 3)
    client.force_login(acme_ceo.user)
    rows = _csv(client.get("/o/acme/integrations/records/?type=order&export=csv"))
    assert rows[0][:2] == ["Number", "Channel"] and rows[0][-3:] == ["Source", "Id at the source", "Written by"]
    assert len(rows) == 4
    assert "'=cmd|' /C calc'!A0" in [r[1] for r in rows]
    workbook = load_workbook(io.BytesIO(client.get("/o/acme/integrations/records/?type=order&export=xlsx").content))
    amounts = [r[8] for r in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert amounts == [10.5, 10.5, 10.5]  # numbers stay numbers


def test_the_records_download_makes_the_same_queries_at_any_size(client, acme, acme_ceo):
    client.force_login(acme_ceo.user)
    _orders(acme, 5)
    client.get("/o/acme/integrations/records/?type=order")  # the session's first request records the session
    with CaptureQueriesContext(db) as small:
        client.get("/o/acme/integrations/records/?type=order&export=csv")
    _orders(acme, 500, start=5)
    with CaptureQueriesContext(db) as large:
        rows = _csv(client.get("/o/acme/integrations/records/?type=order&export=csv"))
    assert len(rows) == 506
    assert len(large) == len(small)


def test_a_download_is_guarded_like_its_page(client, acme, globex):
    viewer = make_member(acme, role=Role.VIEWER)
    client.force_login(viewer.user)
    assert client.get("/o/acme/integrations/records/?type=order&export=csv").status_code == 403
    assert client.get("/o/globex/kpis/?export=csv").status_code == 404


def test_the_sync_runs_of_a_connection_download(client, acme, acme_ceo):
    connection = make_connection(acme)
    SyncRun.objects.create(organization=acme, connection=connection, state=SyncRun.State.DONE,
                           counts={"invoice": {"created": 3, "updated": 1, "rejected": 0}})
    client.force_login(acme_ceo.user)
    rows = _csv(client.get(f"/o/acme/integrations/{connection.pk}/?export=csv"))
    assert rows[0][:2] == ["Started", "State"] and rows[1][4:6] == ["3", "1"]


def test_the_catalogue_download_holds_only_the_kpis_the_reader_may_see(client, acme, alice):
    catalogue_install(acme)
    cro = make_member(acme, role=Role.CRO)
    client.force_login(alice.user)
    cfo_codes = {r[1] for r in _csv(client.get("/o/acme/kpis/?export=csv"))[1:]}
    client.force_login(cro.user)
    cro_codes = {r[1] for r in _csv(client.get("/o/acme/kpis/?export=xlsx&export=csv"))[1:]}
    assert "gross_margin_pct" in cfo_codes and "gross_margin_pct" not in cro_codes  # cost detail: CEO and CFO only
    assert {"nps", "csat", "revenue"} <= cro_codes


def test_a_kpi_page_downloads_its_values_and_a_hidden_kpi_none(client, acme, alice):
    catalogue_install(acme)
    client.force_login(alice.user)
    rows = _csv(client.get("/o/acme/kpis/revenue/?grain=quarter&export=csv"))
    assert rows[0][:4] == ["KPI", "Period", "Start", "End"]
    client.force_login(make_member(acme, role=Role.CRO).user)
    assert client.get("/o/acme/kpis/gross_margin_pct/?export=csv").status_code == 404


def test_the_cascade_downloads_with_progress(client, acme, alice):
    parent = make_objective(acme, title="Grow revenue", owner=alice, start=date(2026, 10, 1), end=date(2026, 12, 31))
    make_objective(acme, title="=SUM(A1)", owner=alice, parent=parent, start=date(2026, 10, 1), end=date(2026, 12, 31))
    client.force_login(alice.user)
    rows = _csv(client.get("/o/acme/objectives/?period=2026-10-01/2026-12-31&export=csv"))
    assert rows[0][:3] == ["Level", "Objective", "Parent objective"] and "Progress (%)" in rows[0]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [("1", "Grow revenue", ""), ("2", "'=SUM(A1)", "Grow revenue")]


def test_every_table_page_offers_the_download(client, acme, acme_ceo):
    catalogue_install(acme)
    _orders(acme, 1)
    connection = make_connection(acme)
    SyncRun.objects.create(organization=acme, connection=connection, state=SyncRun.State.DONE)
    make_objective(acme, owner=acme_ceo)
    client.force_login(acme_ceo.user)
    for path in ("/o/acme/kpis/", "/o/acme/kpis/revenue/", "/o/acme/integrations/records/?type=order",
                 f"/o/acme/integrations/{connection.pk}/", "/o/acme/objectives/", "/o/acme/imports/", "/o/acme/audit/"):
        html = client.get(path).content.decode()
        assert 'data-testid="export-links"' in html and "export=xlsx" in html, path


@pytest.mark.parametrize("record_type", browsable_record_types(with_costs=True))
def test_every_record_type_of_the_browser_downloads(client, acme, acme_ceo, record_type):
    client.force_login(acme_ceo.user)
    rows = _csv(client.get(f"/o/acme/integrations/records/?type={record_type}&export=csv"))
    labels = [str(label) for _name, label in RECORD_VIEWS[record_type][1]]
    assert rows[0][:len(labels)] == labels and rows[1:] == []


def test_the_production_records_download_by_month_and_line_without_their_cost(client, acme, acme_ceo):
    ProductionOutput.objects.create(organization=acme, source=Source.UPLOAD, external_id="2026-03-01|Débit",
                                    period=date(2026, 3, 1), line="Débit", units=Decimal("1200"),
                                    cost=Decimal("12000"))
    client.force_login(acme_ceo.user)
    rows = _csv(client.get("/o/acme/integrations/records/?type=productionoutput&export=csv"))
    assert rows[0][:3] == ["Month", "Production line", "Units produced"] and "Production cost" not in rows[0]
    assert rows[1][1] == "Débit" and len(rows) == 2
