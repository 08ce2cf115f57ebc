"""Every rule kind, on constructed data: one alert however often it is evaluated, resolved when the figure
comes back, and opened anew if the problem returns after that."""

import pytest

from alerts.models import Alert, AlertEvent
from alerts.rules.registry import RULES
from tests.alerts.helpers import evaluate
from tests.alerts.scenarios import SCENARIOS


def test_every_rule_kind_has_a_scenario():
    assert set(SCENARIOS) == set(RULES)


@pytest.mark.parametrize("kind", sorted(SCENARIOS))
def test_the_rule_fires_exactly_once_then_resolves_when_the_figure_comes_back(acme, kind, monkeypatch):
    fix = SCENARIOS[kind](acme, monkeypatch)

    first, second = evaluate(acme), evaluate(acme)

    assert len(first.opened) == 1 and second.opened == [] and not first.failed_rules
    alert = Alert.objects.for_org(acme).get()
    assert alert.kind == kind and alert.status == Alert.Status.OPEN and alert.figure is not None
    assert list(alert.events.values_list("action", flat=True)) == [AlertEvent.Action.OPENED]

    fix()
    report = evaluate(acme)

    alert.refresh_from_db()
    assert report.resolved == 1 and alert.status == Alert.Status.RESOLVED and alert.resolved_at is not None
    assert alert.events.last().action == AlertEvent.Action.RESOLVED_AUTO
    assert evaluate(acme).opened == []


def test_a_resolved_problem_that_returns_opens_a_new_alert(acme, monkeypatch):
    from tests.alerts.helpers import LAST_MONTH, set_month
    from kpis.models import Kpi

    fix = SCENARIOS["period_change"](acme, monkeypatch)
    evaluate(acme)
    fix()
    evaluate(acme)
    set_month(acme, Kpi.objects.for_org(acme).get(slug="revenue"), LAST_MONTH, 50000)

    assert len(evaluate(acme).opened) == 1
    assert list(Alert.objects.for_org(acme).values_list("status", flat=True).order_by("id")) == ["resolved", "open"]


def test_a_broken_rule_does_not_stop_the_others_nor_resolve_its_alerts(acme, monkeypatch):
    SCENARIOS["period_change"](acme, monkeypatch)
    SCENARIOS["late_payment"](acme, monkeypatch)
    evaluate(acme)

    def boom(self, ctx):
        raise RuntimeError("bug")
    monkeypatch.setattr("alerts.rules.late_payment.LatePaymentRule.evaluate", boom)
    report = evaluate(acme)

    assert len(report.failed_rules) == 1 and report.resolved == 0
    assert Alert.objects.for_org(acme).filter(status="open").count() == 2
