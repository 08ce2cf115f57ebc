"""As the app role, background work runs in its organization's context: a sync task (whose service
commits page by page) writes its tenant's records, a recompute computes its tenant's values, the beat
tasks visit every tenant one at a time; and no task leaves its organization on the connection."""

from datetime import date

import pytest
from django.core import mail
from django.db import connection

from integrations import services as integration_services
from integrations.models import Invoice, SyncRun
from integrations.tasks import connections_sync_due_task, sync_run_execute_task
from kpis.models import KpiValue
from kpis.services import catalogue_install
from kpis.tasks import kpi_values_recompute_task
from objectives.tasks import check_in_reminders_send_task
from tests.integrations.conftest import book, fake, make_connection  # noqa: F401 (fixtures)
from tests.objectives.helpers import make_objective

pytestmark = pytest.mark.services


def organization_left_on_the_connection() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.current_org', true)")
        return cursor.fetchone()[0] or ""


def test_a_sync_task_writes_its_records_in_its_own_tenant(acme, globex, fake, as_app_role):  # noqa: F811
    run = SyncRun.objects.create(organization=acme, connection=make_connection(acme))
    with as_app_role():
        sync_run_execute_task.delay(run.pk)
        assert organization_left_on_the_connection() == ""
    run.refresh_from_db()
    assert run.state == SyncRun.State.DONE, run.errors
    assert Invoice.objects.for_org(acme).count() == 31
    assert not Invoice.objects.for_org(globex).exists()


def test_a_recompute_task_computes_its_tenants_values(acme, globex, as_app_role):
    catalogue_install(acme)
    with as_app_role():
        kpi_values_recompute_task.delay(acme.pk)
        assert organization_left_on_the_connection() == ""
    assert KpiValue.objects.for_org(acme).exists()
    assert not KpiValue.objects.for_org(globex).exists()


def test_a_recompute_task_updates_its_tenants_changed_values_in_place(acme, globex, as_app_role):
    from django.utils import timezone

    from kpis.services import kpi_values_recompute
    from tests.kpis.engine.records import ledger

    today = timezone.localdate()
    for org in (acme, globex):
        catalogue_install(org)
        ledger(org, "706000", today, credit=1000)
        kpi_values_recompute(org=org)
    ledger(acme, "706000", today, credit=500)
    globex_before = sorted(KpiValue.objects.for_org(globex).values_list("pk", "value", "computed_at"))
    with as_app_role():
        kpi_values_recompute_task.delay(acme.pk)  # INSERT … ON CONFLICT DO UPDATE under the tenant's policy
    revenue = KpiValue.objects.for_org(acme).get(kpi__slug="revenue", grain="month",
                                                 period_start=today.replace(day=1), dimension_value="")
    assert revenue.value == 1500
    assert sorted(KpiValue.objects.for_org(globex).values_list("pk", "value", "computed_at")) == globex_before


def test_the_beat_queues_the_due_syncs_of_every_tenant(acme, globex, as_app_role, monkeypatch):
    dispatched = []
    monkeypatch.setattr(integration_services, "sync_run_dispatch", lambda run_id: dispatched.append(run_id))
    make_connection(acme)
    make_connection(globex)
    with as_app_role():
        assert connections_sync_due_task() == 2
        assert organization_left_on_the_connection() == ""
    assert {r.organization_id for r in SyncRun.objects.filter(pk__in=dispatched)} == {acme.pk, globex.pk}


def test_the_daily_reminders_reach_owners_in_every_tenant(acme, globex, alice, mallory, as_app_role, monkeypatch):
    today = date(2026, 11, 16)
    monkeypatch.setattr("objectives.tasks.timezone.localdate", lambda: today)
    make_objective(acme, owner=alice)
    make_objective(globex, owner=mallory)
    with as_app_role():
        assert check_in_reminders_send_task() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [alice.user.email, mallory.user.email]
