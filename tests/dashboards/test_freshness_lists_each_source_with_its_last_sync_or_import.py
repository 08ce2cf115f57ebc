"""The data-freshness widget lists the company's connections (a disconnected one left out) with their status,
last sync and last error (its stored message read back), then each kind of finished import with its latest finish: one
query for both (dashboards.widgets._freshness)."""

from datetime import date, datetime, timedelta

from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.capabilities import Role
from dashboards.defaults import WidgetSpec
from dashboards.models import Widget
from dashboards.periods import dashboard_period
from dashboards.widgets import dashboard_view
from imports.models import ImportRun
from integrations.messages import ReaderMessage, stored_message
from integrations.models import Connection
from tests.factories import make_member

TODAY = date(2026, 6, 15)


def _import(org, kind, state, finished_at):
    return ImportRun.objects.create(organization=org, kind=kind, state=state, file_name=f"{kind}.csv",
                                    file_sha256="0" * 64, finished_at=finished_at)


def _freshness(org, member):
    period = dashboard_period(org, key="month", today=TODAY)
    view = dashboard_view(org, membership=member, specs=[WidgetSpec(kind=Widget.Kind.FRESHNESS)], period=period,
                          today=TODAY)
    return view.widgets[0]


def test_connections_then_each_kind_of_finished_import_with_its_latest_finish(acme, globex):
    ceo = make_member(acme, role=Role.CEO)
    synced = timezone.make_aware(datetime(2026, 6, 14, 8, 0))
    error = ReaderMessage("Pennylane refused the token: reconnect it.")
    Connection.objects.create(organization=acme, provider="pennylane", label="Pennylane", credentials={},
                              status=Connection.Status.NEEDS_ATTENTION, last_success_at=synced,
                              last_error=str(error), last_error_messages=[{"text": str(error),
                                                                           **stored_message(error)}])
    Connection.objects.create(organization=acme, provider="hubspot", label="", credentials={},
                              status=Connection.Status.ACTIVE, last_success_at=synced - timedelta(days=1))
    Connection.objects.create(organization=acme, provider="shopify", label="Old shop", credentials={},
                              status=Connection.Status.DISCONNECTED)
    Connection.objects.create(organization=globex, provider="qonto", label="Globex bank", credentials={},
                              status=Connection.Status.ACTIVE)
    _import(acme, "orders", ImportRun.State.DONE, synced - timedelta(days=3))
    _import(acme, "orders", ImportRun.State.DONE, synced - timedelta(days=2))
    _import(acme, "orders", ImportRun.State.FAILED, synced)
    _import(acme, "budget", ImportRun.State.DONE, synced - timedelta(days=9))
    _import(globex, "invoices", ImportRun.State.DONE, synced)

    with CaptureQueriesContext(db) as ctx:
        widget = _freshness(acme, ceo)
    assert sum('"integrations_connection"' in q["sql"] or '"imports_importrun"' in q["sql"]
               for q in ctx.captured_queries) == 1
    assert [(r["label"], r["status"], r["last"], r["error"]) for r in widget.rows] == [
        ("HubSpot", "active", synced - timedelta(days=1), ""),
        ("Pennylane", "needs_attention", synced, "Pennylane refused the token: reconnect it."),
        ("Import: Budget", "active", synced - timedelta(days=9), ""),
        ("Import: Orders", "active", synced - timedelta(days=2), ""),
    ]
    assert [r["status_label"] for r in widget.rows[:2]] == ["Active", "Needs attention"]
    assert widget.empty == ""


def test_no_source_at_all_says_what_to_connect(acme):
    ceo = make_member(acme, role=Role.CEO)
    Connection.objects.create(organization=acme, provider="shopify", label="Old shop", credentials={},
                              status=Connection.Status.DISCONNECTED)
    widget = _freshness(acme, ceo)
    assert widget.rows == []
    with translation.override("en"):
        assert "connect Pennylane or HubSpot" in str(widget.empty)
