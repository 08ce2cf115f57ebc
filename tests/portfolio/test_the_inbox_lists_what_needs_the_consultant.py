"""The inbox: what needs the consultant this week in every client they serve, each item one click away."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.capabilities import Role
from integrations.models import Connection, RejectedRecord, SyncRun
from objectives.models import ActionPlan
from portfolio.clients import reading_clients
from portfolio.inbox.selectors import inbox_items
from tests.conftest import url
from tests.objectives.helpers import make_action_plan, make_check_in, make_objective
from tests.portfolio.helpers import client_of, consultant_of, month

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _this_quarter(org, **kwargs):
    return make_objective(org, start=month(-2), end=month(4), **kwargs)


def _failing_sync(org):
    conn = Connection.objects.create(organization=org, provider="hubspot", label="HubSpot",
                                     status=Connection.Status.PARTLY_SYNCED, last_success_at=timezone.now())
    run = SyncRun.objects.create(organization=org, connection=conn, state=SyncRun.State.DONE)
    RejectedRecord.objects.create(organization=org, sync_run=run, model="deal", external_id="d-1",
                                  reason="amount is not a number")
    return conn, run


def _items(member, **kwargs):
    with reading_clients(member) as clients:
        return inbox_items(clients, **kwargs)


def test_each_kind_of_item_appears_with_a_link_to_its_page(capfirm):
    olivier = consultant_of(capfirm)
    org = client_of(olivier, name="Lumen")
    due = _this_quarter(org, title="Invoice 500 K€")
    make_check_in(due, on=TODAY - timedelta(days=10))  # weekly cadence: due three days ago
    fresh = _this_quarter(org, title="Fresh")
    make_check_in(fresh, on=TODAY)
    plan = make_action_plan(fresh)
    ActionPlan.objects.filter(pk=plan.pk).update(due_date=TODAY - timedelta(days=2))
    conn, run = _failing_sync(org)

    items = {(i.source, i.title): i for i in _items(olivier)}

    assert items[("check_ins", "Invoice 500 K€")].url == f"/o/{org.slug}/objectives/{due.pk}/"
    assert items[("check_ins", "Invoice 500 K€")].is_urgent
    assert ("check_ins", "Fresh") not in items
    assert items[("action_plans", plan.title)].url == f"/o/{org.slug}/objectives/{fresh.pk}/"
    assert items[("syncs", "HubSpot")].url == f"/o/{org.slug}/integrations/{conn.pk}/"
    assert items[("rejected", "HubSpot")].url == f"/o/{org.slug}/integrations/runs/{run.pk}/"
    assert items[("rejected", "HubSpot")].detail == "1 record rejected"


def test_a_manual_key_result_not_updated_for_two_cadences_is_going_stale(capfirm):
    from objectives.models import KeyResult
    from tests.objectives.helpers import make_key_result

    olivier = consultant_of(capfirm)
    org = client_of(olivier)
    objective = _this_quarter(org, title="NPS")
    kr = make_key_result(objective, manual_value="40")
    KeyResult.objects.filter(pk=kr.pk).update(manual_value_at=timezone.now() - timedelta(days=15))
    updated = make_key_result(objective, manual_value="41")

    titles = [i.title for i in _items(olivier, only_source="key_results")]

    assert titles == [f"NPS — {kr.title}"] and updated.title not in " ".join(titles)


def test_the_inbox_filters_by_client_and_by_kind(client, capfirm):
    olivier = consultant_of(capfirm)
    lumen, nuage = client_of(olivier, name="Lumen"), client_of(olivier, name="Nuage")
    _failing_sync(lumen)
    _failing_sync(nuage)
    client.force_login(olivier.user)

    page = client.get(url("portfolio:inbox", org_slug=capfirm.slug) + f"?client={nuage.pk}&source=syncs")

    html = page.content.decode()
    assert page.status_code == 200
    assert f"/o/{nuage.slug}/integrations/" in html and f"/o/{lumen.slug}/integrations/" not in html
    assert "/runs/" not in html


def test_items_the_consultants_role_may_not_open_are_left_out(capfirm):
    olivier = consultant_of(capfirm)
    viewer_client = client_of(olivier, role=Role.VIEWER)
    due = _this_quarter(viewer_client)
    make_check_in(due, on=TODAY - timedelta(days=30))

    assert [i for i in _items(olivier) if i.source == "check_ins"] == []  # a Viewer does not check in


def test_the_inbox_makes_the_same_number_of_queries_for_3_or_30_clients(client, capfirm):
    olivier = consultant_of(capfirm)
    client.force_login(olivier.user)
    client.get(url("portfolio:inbox", org_slug=capfirm.slug))  # the first visit records the session and the last organization
    counts = []
    for n in (3, 27):
        for _ in range(n):
            org = client_of(olivier)
            make_check_in(_this_quarter(org), on=TODAY - timedelta(days=10))
            _failing_sync(org)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url("portfolio:inbox", org_slug=capfirm.slug))
        assert page.status_code == 200
        counts.append(len(queries))
    # Two are every page's (user and membership; the session comes from its cache); the page's own are the
    # client memberships, their KPIs and metrics, one per inbox source (check-ins, plans, key results, syncs, rejected
    # records and imports, alerts) and the savepoint around the clients' read (accounts.rls).
    assert counts[0] == counts[1] <= 12


def _li_of(html, text):
    """The inbox's list item that holds `text`."""
    end = html.index(text)
    return html[html.rindex("<li", 0, end):html.index("</li>", end)]


def test_an_overdue_plan_reads_late_and_a_critical_alert_or_a_failing_connection_reads_urgent(client, capfirm):
    from alerts.models import Alert, Severity
    from tests.alerts.helpers import NOW, make_rule

    olivier = consultant_of(capfirm)
    org = client_of(olivier, name="Lumen")
    plan = make_action_plan(_this_quarter(org))
    ActionPlan.objects.filter(pk=plan.pk).update(due_date=TODAY - timedelta(days=2))
    rule = make_rule(org, "period_change")
    Alert.objects.create(organization=org, rule=rule, kind=rule.kind, subject_key="s", status="open",
                         severity=Severity.CRITICAL, audience=",ceo,cfo,coo,cro,admin,viewer,", opened_at=NOW,
                         last_seen_at=NOW)
    Connection.objects.create(organization=org, provider="hubspot", label="HubSpot CRM",
                              status=Connection.Status.NEEDS_ATTENTION)
    client.force_login(olivier.user)

    html = client.get(url("portfolio:inbox", org_slug=capfirm.slug), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<span>late</span>" in _li_of(html, plan.title)
    assert "<span>urgent</span>" in _li_of(html, "HubSpot CRM")
    alert_item = _li_of(html, 'data-source="alerts"')
    assert "<span>urgent</span>" in alert_item and "late" not in alert_item
