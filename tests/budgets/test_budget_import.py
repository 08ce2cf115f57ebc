"""The `budget` import kind: validated whole, idempotent on version + account prefix + month, for CEO and CFO."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.capabilities import Role
from budgets.models import BudgetLine, BudgetVersion
from tests.factories import make_member
from tests.imports.helpers import confirm, csv_bytes, upload

HEADER = "Version;Compte;Libellé;Mois;Montant HT"


def _file(*rows: str) -> bytes:
    return csv_bytes([HEADER, *rows])


GOOD = _file("Initial;64;Personnel;01/01/2026;42 000,00", "Initial;64;Personnel;01/02/2026;42 000,00",
             "Initial;706;Prestations;01/01/2026;90 000", "Révisé;64;Personnel;01/01/2026;45 000")


def test_a_clean_file_creates_the_budget_its_versions_and_lines(acme, alice):
    run = confirm(upload(acme, alice, GOOD, kind="budget", name="budget.csv"), alice)
    assert run.state == "done"
    assert run.counts == {"created": 4, "updated": 0, "unchanged": 0, "deleted": 0}
    versions = BudgetVersion.objects.for_org(acme).order_by("pk")
    assert [(v.name, v.is_reference, v.budget.fiscal_year) for v in versions] == [
        ("Initial", True, 2026), ("Révisé", False, 2026)]
    line = BudgetLine.objects.for_org(acme).get(version__name="Initial", account_number="706")
    assert (line.month, line.amount, line.label) == (date(2026, 1, 1), Decimal("90000.00"), "Prestations")


def test_reimporting_the_same_file_changes_nothing_and_a_new_amount_updates_its_line(acme, alice):
    confirm(upload(acme, alice, GOOD, kind="budget"), alice)
    again = confirm(upload(acme, alice, GOOD, kind="budget"), alice)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 4, "deleted": 0}
    changed = confirm(upload(acme, alice, _file("Initial;64;Personnel;01/01/2026;43 000"), kind="budget"), alice)
    assert changed.counts == {"created": 0, "updated": 1, "unchanged": 0, "deleted": 0}
    assert BudgetLine.objects.for_org(acme).count() == 4
    assert BudgetLine.objects.for_org(acme).get(version__name="Initial", account_number="64",
                                                month=date(2026, 1, 1)).amount == Decimal(43000)


def test_one_bad_row_refuses_the_whole_file_with_every_reason(acme, alice):
    run = upload(acme, alice, _file("Initial;64;Personnel;01/01/2026;42 000", "Initial;512;Banque;01/01/2026;10",
                                    "Initial;64;Personnel;15/01/2026;1", "Initial;62;Externes;01/01/2026;-5"),
                 kind="budget")
    assert run.state == "invalid"
    assert sorted((e["row"], e["column"], e["code"]) for e in run.errors) == [
        (3, "account", "bad_prefix"), (4, "version", "duplicate"), (5, "amount", "negative")]
    with pytest.raises(ValidationError):
        confirm(run, alice)
    assert not BudgetLine.objects.for_org(acme).exists()


@pytest.mark.parametrize("role", [Role.COO, Role.CRO, Role.ADMIN])
def test_only_who_manages_budgets_may_import_one(acme, role):
    member = make_member(acme, role=role)
    with pytest.raises(ValidationError):
        upload(acme, member, GOOD, kind="budget")


def test_an_import_announces_the_reference_versions_months_to_the_engine(acme, alice):
    from integrations.events import records_changed

    announced = []
    records_changed.connect(lambda sender, **kw: announced.append(kw["changes"]), weak=False, dispatch_uid="t")
    try:
        confirm(upload(acme, alice, GOOD, kind="budget"), alice)
    finally:
        records_changed.disconnect(dispatch_uid="t")
    # the revised version is not the reference: its line recomputes nothing
    assert announced == [{"budgetline": {date(2026, 1, 1), date(2026, 2, 1)}}]


def test_the_template_imports_as_downloaded(acme, alice):
    from imports.files_out import template_csv

    run = upload(acme, alice, template_csv("budget").encode("utf-8"), kind="budget", name="budget.csv")
    assert run.state == "ready", (run.errors, run.refusal)


def test_a_budget_run_is_closed_to_who_may_not_import_budgets(client, acme, alice, bob):
    from tests.conftest import url

    run = upload(acme, alice, GOOD, kind="budget")
    client.force_login(bob.user)  # the COO imports orders, not budgets: the preview shows amounts
    assert client.get(url("imports:import_run_detail", org_slug=acme.slug, run_id=run.pk)).status_code == 403


def test_the_push_api_serves_no_budget_route():
    from imports.api import PUSH_VIEWSETS

    assert "budget" not in PUSH_VIEWSETS
