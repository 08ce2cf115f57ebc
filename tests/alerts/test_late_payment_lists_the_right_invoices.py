"""A late customer's alert names that customer, its overdue invoices and what is still due, nothing else."""

from datetime import timedelta
from decimal import Decimal

from alerts.models import Alert
from alerts.selectors import alert_message
from tests.alerts.helpers import TODAY, evaluate, make_customer, make_invoice, make_rule


def test_the_alert_lists_only_the_customers_invoices_overdue_past_the_delay(acme):
    make_rule(acme, "late_payment", days=30, critical_days=60)
    dupont, martin = make_customer(acme, "Grossiste Dupont"), make_customer(acme, "Martin SARL")
    make_invoice(acme, dupont, number="F-101", amount="4800", due=TODAY - timedelta(days=75))
    make_invoice(acme, dupont, number="F-117", amount="1200", due=TODAY - timedelta(days=40))
    make_invoice(acme, dupont, number="F-130", amount="900", due=TODAY - timedelta(days=10))  # late, not 30 days
    make_invoice(acme, dupont, number="F-090", amount="700", due=TODAY - timedelta(days=90), paid=TODAY)
    make_invoice(acme, martin, number="F-140", amount="300", due=TODAY - timedelta(days=5))

    evaluate(acme)

    alert = Alert.objects.for_org(acme).get()
    assert alert.subject_key == f"customer:{dupont.pk}"
    assert [i["number"] for i in alert.params["invoices"]] == ["F-101", "F-117"]
    assert alert.figure == Decimal("6000") and alert.threshold == Decimal(30)
    assert alert.severity == "critical"  # the oldest is 75 days late, past the 60 days of the rule
    assert alert_message(alert) == ("Grossiste Dupont owes €6,000 on 2 invoices, the oldest unpaid 75 days "
                                    "after its due date.")


def test_paying_one_invoice_keeps_the_alert_with_the_other(acme):
    make_rule(acme, "late_payment", days=30)
    dupont = make_customer(acme, "Grossiste Dupont")
    first = make_invoice(acme, dupont, number="F-101", amount="4800", due=TODAY - timedelta(days=75))
    make_invoice(acme, dupont, number="F-117", amount="1200", due=TODAY - timedelta(days=40))
    evaluate(acme)
    first.paid_date, first.remaining_amount_incl_tax = TODAY, Decimal(0)
    first.save(update_fields=["paid_date", "remaining_amount_incl_tax"])

    evaluate(acme)

    alert = Alert.objects.for_org(acme).get()
    assert alert.status == "open" and [i["number"] for i in alert.params["invoices"]] == ["F-117"]
    assert alert.figure == Decimal("1200")
