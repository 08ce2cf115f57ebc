"""Default rules arrive with a company's catalogue; a recompute, a sync and the hourly beat evaluate them."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Organization
from accounts.services import organization_create
from alerts.models import Alert, AlertRule
from alerts.services import default_rules_install
from alerts.tasks import alerts_evaluate_time_based_task
from integrations.events import records_changed_announce
from kpis.events import kpi_values_recomputed_announce
from tests.alerts.helpers import make_customer, make_invoice, make_rule


def test_a_new_company_gets_the_default_rules_and_a_consultancy_none(db):
    company = organization_create(name="Lumière SAS")
    firm = organization_create(name="Cap Conseil", kind=Organization.Kind.CONSULTANCY)

    kinds = set(AlertRule.objects.for_org(company).values_list("kind", flat=True))
    assert {"late_payment", "target_band", "forecast_miss", "anomaly", "sync_failing", "data_stale",
            "check_in_overdue"} <= kinds
    assert not AlertRule.objects.for_org(firm).exists()
    assert default_rules_install(company) == 0  # installing again adds nothing


def test_budget_overrun_is_a_default_rule_only_once_budgets_exist(acme, monkeypatch):
    monkeypatch.setattr("alerts.rules.budget_overrun._budget_variances", lambda: None)
    default_rules_install(acme)
    assert not AlertRule.objects.for_org(acme).filter(kind="budget_overrun").exists()
    monkeypatch.setattr("alerts.rules.budget_overrun._budget_variances", lambda: (lambda *a, **k: []))
    assert default_rules_install(acme) == 1


def _late_invoice(org):
    make_rule(org, "late_payment", days=30)
    make_invoice(org, make_customer(org, "Grossiste Dupont"), number="F-1", amount="100",
                 due=timezone.localdate() - timedelta(days=45))


def test_records_changed_by_a_sync_evaluate_the_rules(acme, django_capture_on_commit_callbacks):
    _late_invoice(acme)
    with django_capture_on_commit_callbacks(execute=True):
        records_changed_announce(org=acme, changes={"invoice": {timezone.localdate()}})
    assert Alert.objects.for_org(acme).filter(kind="late_payment").count() == 1


def test_a_recompute_evaluates_the_rules(acme, django_capture_on_commit_callbacks):
    _late_invoice(acme)
    with django_capture_on_commit_callbacks(execute=True):
        kpi_values_recomputed_announce(org=acme, kpi_slugs={"revenue"})
    assert Alert.objects.for_org(acme).count() == 1


def test_the_hourly_beat_evaluates_the_time_based_rules_of_every_company(acme, globex):
    _late_invoice(acme)
    _late_invoice(globex)
    alerts_evaluate_time_based_task()
    assert Alert.objects.filter(kind="late_payment").count() == 2  # scoped: one per company, across tenants
