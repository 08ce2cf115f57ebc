"""Two evaluations of one company at the same moment (a sync and a recompute finishing together) open one
alert: the evaluation lock serialises them, and the database constraint holds even without the lock."""

import threading

import pytest
from django.db import connections

from alerts import services
from alerts.models import Alert
from alerts.rules.late_payment import LatePaymentRule
from tests.alerts.helpers import evaluate
from tests.alerts.scenarios import late_payment

pytestmark = pytest.mark.django_db(transaction=True)


def _run_twice_at_once(org) -> list:
    results, errors = [], []

    def work():
        try:
            results.append(evaluate(org, notify=False))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    return results


@pytest.mark.services  # SQLite runs one writer at a time: only PostgreSQL can race
def test_two_concurrent_evaluations_open_one_alert(acme, monkeypatch):
    late_payment(acme, monkeypatch)

    results = _run_twice_at_once(acme)

    assert sorted(len(r.opened) for r in results) == [0, 1]
    assert Alert.objects.for_org(acme).filter(status="open").count() == 1


@pytest.mark.services  # needs two connections writing together
def test_without_the_lock_the_constraint_still_keeps_one_live_alert(acme, monkeypatch):
    late_payment(acme, monkeypatch)
    monkeypatch.setattr(services, "_lock", lambda org: None)
    both_read = threading.Barrier(2, timeout=30)
    evaluate_once = LatePaymentRule.evaluate

    def evaluate_together(self, ctx):
        findings = evaluate_once(self, ctx)
        both_read.wait()  # each has read "no live alert" before either writes
        return findings
    monkeypatch.setattr(LatePaymentRule, "evaluate", evaluate_together)

    results = _run_twice_at_once(acme)

    assert sorted(len(r.opened) for r in results) == [0, 1]
    assert Alert.objects.for_org(acme).filter(status="open").count() == 1
