"""The budget overrun rule on a real reference budget and ledger (budgets.selectors.budget_variances)."""

from datetime import date

from alerts.models import Alert
from alerts.selectors import alert_message
from tests.alerts.helpers import LAST_MONTH, evaluate, make_rule
from tests.budgets.helpers import budget
from tests.kpis.engine.records import ledger


def test_a_cost_line_over_budget_fires_and_a_credit_note_that_brings_it_back_resolves_it(acme):
    budget(acme, LAST_MONTH, {"623": 10000, "706": 50000}, label="Publicité")
    make_rule(acme, "budget_overrun", pct=10)
    ledger(acme, "623000", date(2026, 10, 12), debit=13000)
    ledger(acme, "706000", date(2026, 10, 31), credit=90000)  # income above budget is good news, not an overrun

    evaluate(acme)

    alert = Alert.objects.for_org(acme).get()
    assert (alert.subject_key, alert.figure, alert.threshold) == ("budget:623", 13000, 10000)
    assert alert_message(alert) == "Publicité overran its budget: €13,000 spent against €10,000 budgeted (+30.0 %)."

    ledger(acme, "623000", date(2026, 10, 20), credit=2500)  # 10,500: within the 10 % of the rule
    evaluate(acme)
    alert.refresh_from_db()
    assert alert.status == "resolved"
