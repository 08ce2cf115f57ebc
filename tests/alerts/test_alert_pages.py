"""The bell, the list with its filters, one alert with its history, and the responses to it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.capabilities import Role
from alerts.models import Alert
from alerts.selectors import alert_message
from tests.alerts.helpers import NOW, evaluate, make_rule
from tests.alerts.scenarios import budget_overrun, late_payment, period_change
from tests.conftest import url
from tests.factories import make_member


def _alerts(org, n: int, *, audience=",ceo,cfo,coo,cro,admin,viewer,"):
    rule = make_rule(org, "late_payment")
    for i in range(n):
        Alert.objects.create(organization=org, rule=rule, kind=rule.kind, subject_key=f"customer:{i}",
                             params={"customer": f"C{i}", "count": 1, "amount": "10", "oldest_days": 40},
                             audience=audience, opened_at=NOW, last_seen_at=NOW)


def _bell_queries(client, org) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url("alerts:bell", org_slug=org.slug)).status_code == 200
    return len(ctx.captured_queries)


def test_the_bell_counts_open_alerts_in_one_query_however_many_there_are(client, acme, alice, globex):
    client.force_login(alice.user)
    client.get(url("alerts:bell", org_slug=acme.slug))  # the first request of a session also stores it
    _alerts(acme, 1)
    few = _bell_queries(client, acme)
    _alerts(acme, 25)
    response = client.get(url("alerts:bell", org_slug=acme.slug))

    assert _bell_queries(client, acme) == few
    assert b'data-testid="alerts-unread">26<' in response.content


def test_the_bell_loads_after_the_page_so_pages_pay_no_query_for_it(client, acme, alice):
    client.force_login(alice.user)
    page = client.get(url("accounts:org_home", org_slug=acme.slug)).content.decode()
    assert f'hx-get="{url("alerts:bell", org_slug=acme.slug)}"' in page


def test_a_viewer_does_not_see_a_cost_alert_anywhere(client, acme, alice, monkeypatch):
    viewer = make_member(acme, role=Role.VIEWER)
    budget_overrun(acme, monkeypatch)
    late_payment(acme, monkeypatch)
    evaluate(acme, notify=False)
    cost_alert = Alert.objects.for_org(acme).get(kind="budget_overrun")

    client.force_login(viewer.user)
    listing = client.get(url("alerts:alert_list", org_slug=acme.slug)).content.decode()
    assert "Grossiste Dupont" in listing and "Marketing" not in listing
    assert b'alerts-unread">1<' in client.get(url("alerts:bell", org_slug=acme.slug)).content
    assert client.get(url("alerts:alert_detail", org_slug=acme.slug, alert_id=cost_alert.pk)).status_code == 404

    client.force_login(alice.user)
    assert "Marketing overran its budget" in client.get(url("alerts:alert_list", org_slug=acme.slug)).content.decode()


def test_the_list_filters_by_status_severity_and_kind(client, acme, alice, monkeypatch):
    late_payment(acme, monkeypatch)
    period_change(acme, monkeypatch)
    evaluate(acme, notify=False)
    client.force_login(alice.user)
    page = url("alerts:alert_list", org_slug=acme.slug)

    assert client.get(page, {"kind": "late_payment"}).content.decode().count('data-testid="alert-row"') == 1
    assert client.get(page, {"severity": "critical"}).content.decode().count('data-testid="alert-row"') == 1
    assert client.get(page, {"status": "resolved"}).content.decode().count('data-testid="alert-row"') == 0
    assert client.get(page).content.decode().count('data-testid="alert-row"') == 2


def test_acknowledge_snooze_and_resolve_with_a_comment_write_the_history(client, acme, alice, monkeypatch):
    late_payment(acme, monkeypatch)
    evaluate(acme, notify=False)
    alert = Alert.objects.for_org(acme).get()
    client.force_login(alice.user)
    respond = url("alerts:alert_respond", org_slug=acme.slug, alert_id=alert.pk)

    client.post(respond, {"action": "acknowledge", "comment": "Calling them today"})
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    assert b'alerts-unread">' not in client.get(url("alerts:bell", org_slug=acme.slug)).content

    client.post(respond, {"action": "snooze", "snooze_hours": "72"})
    alert.refresh_from_db()
    assert alert.status == "snoozed" and alert.snoozed_until is not None

    refused = client.post(respond, {"action": "resolve", "comment": ""})
    assert refused.status_code == 200 and Alert.objects.get(pk=alert.pk).status == "snoozed"
    client.post(respond, {"action": "resolve", "comment": "Paid by transfer, booked tomorrow"})
    alert.refresh_from_db()
    assert alert.status == "resolved"

    history = client.get(url("alerts:alert_detail", org_slug=acme.slug, alert_id=alert.pk)).content.decode()
    for text in ("Opened", "Acknowledged", "Calling them today", "Snoozed", "Resolved by hand",
                 "Paid by transfer, booked tomorrow", "F-2026-101"):
        assert text in history


def test_a_snooze_that_ran_out_reopens_the_alert_if_the_problem_remains(acme, alice, monkeypatch):
    from datetime import timedelta

    from alerts.services import alert_snooze
    from django.utils import timezone

    late_payment(acme, monkeypatch)
    evaluate(acme, notify=False)
    alert = alert_snooze(alert=Alert.objects.for_org(acme).get(), by=alice, until=timezone.now() + timedelta(hours=1))

    evaluate(acme, now=timezone.now() + timedelta(hours=2), notify=False)

    alert.refresh_from_db()
    assert alert.status == "open" and alert.events.last().action == "reopened"


def test_a_viewer_may_read_alerts_but_not_respond_to_them(client, acme, monkeypatch):
    viewer = make_member(acme, role=Role.VIEWER)
    late_payment(acme, monkeypatch)
    evaluate(acme, notify=False)
    alert = Alert.objects.for_org(acme).get()
    client.force_login(viewer.user)

    assert client.get(url("alerts:alert_detail", org_slug=acme.slug, alert_id=alert.pk)).status_code == 200
    assert client.post(url("alerts:alert_respond", org_slug=acme.slug, alert_id=alert.pk),
                       {"action": "acknowledge"}).status_code == 403


def test_another_companys_alert_is_a_404(client, acme, mallory, monkeypatch):
    late_payment(acme, monkeypatch)
    evaluate(acme, notify=False)
    alert = Alert.objects.for_org(acme).get()
    client.force_login(mallory.user)

    assert client.get(url("alerts:alert_detail", org_slug="globex", alert_id=alert.pk)).status_code == 404
    assert client.post(url("alerts:alert_respond", org_slug="globex", alert_id=alert.pk),
                       {"action": "resolve", "comment": "x"}).status_code == 404


@pytest.mark.parametrize("role,status", [(Role.CFO, 302), (Role.VIEWER, 403)])
def test_who_may_change_a_rule(client, acme, role, status):
    member = make_member(acme, role=role)
    rule = make_rule(acme, "late_payment")
    client.force_login(member.user)

    response = client.post(url("alerts:rule_update", org_slug=acme.slug, rule_id=rule.pk), {
        f"rule{rule.pk}-is_enabled": "on", f"rule{rule.pk}-severity": "critical",
        f"rule{rule.pk}-subscriber_roles": ["cfo"], f"rule{rule.pk}-parameters": '{"days": 45}'})

    assert response.status_code == status
    rule.refresh_from_db()
    assert (rule.parameters["days"] == 45) is (status == 302)


def test_a_rule_refuses_parameters_it_does_not_know(client, acme, alice):
    rule = make_rule(acme, "late_payment")
    client.force_login(alice.user)
    response = client.post(url("alerts:rule_update", org_slug=acme.slug, rule_id=rule.pk), {
        f"rule{rule.pk}-severity": "warning", f"rule{rule.pk}-parameters": '{"dayz": 45}'})
    assert response.status_code == 400 and b"Unknown parameters: dayz" in response.content


def test_a_member_chooses_the_digest_in_french(client, acme, alice):
    client.force_login(alice.user)
    response = client.post(url("alerts:preferences", org_slug=acme.slug), {"delivery": "digest", "language": "fr"})
    assert response.status_code == 302
    from alerts.models import AlertPreference
    pref = AlertPreference.objects.for_org(acme).get(membership=alice)
    alice.user.refresh_from_db()
    assert (pref.delivery, alice.user.language) == ("digest", "fr")  # one language for all of her e-mails


def test_a_built_in_kpis_name_in_an_alert_reads_in_the_readers_language(acme):
    rule = make_rule(acme, "kpi_threshold")
    alert = Alert(organization=acme, rule=rule, kind="kpi_threshold", subject_key="k",
                  params={"kpi": "Revenue", "op": "below", "value": "10", "threshold": "20"})
    with translation.override("fr"):
        assert alert_message(alert).startswith("Chiffre d’affaires ")
