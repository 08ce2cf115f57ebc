"""Production by month and line (units, cost) comes in by file or push: every bad row is reported, a re-import
updates and never duplicates, a push is all or nothing, and the cost stays with those who read operational costs."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache

from accounts.api_keys import api_key_create
from accounts.capabilities import Role
from imports.messages import row_message
from imports.values import CellError, parse_month
from integrations.models import ProductionOutput
from kpis.models import KpiValue
from kpis.services import catalogue_install
from tests.factories import make_member
from tests.imports.helpers import confirm, csv_bytes, upload, xlsx_bytes

PATH = "/api/v1/orgs/acme/records/production/"
FILE = ["Mois;Atelier;Unités produites;Coût de production",
        "03/2026;Débit;1 200;12 000,00",
        "03/2026;Assemblage;800;24 000,00",
        "mars 2026;Finition;50;"]


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _errors(run):
    return {(e["row"], e["column"], e["code"]) for e in run.errors}


def _rows(org):
    return sorted(ProductionOutput.objects.for_org(org).values_list("period", "line", "units", "cost"))


def _key(acme_ceo, role, *, can_write):
    _key, secret = api_key_create(org=acme_ceo.organization, by=acme_ceo, name=f"ERP {role}", role=role,
                                  can_write=can_write)
    return {"HTTP_AUTHORIZATION": f"Api-Key {secret}"}


def test_a_production_file_with_french_headers_imports_by_month_and_line(acme, bob):
    good = FILE[:3]
    run = confirm(upload(acme, bob, csv_bytes(good), kind="production", name="production.csv"), bob)
    assert run.state == run.State.DONE, run.errors
    assert _rows(acme) == [(date(2026, 3, 1), "Assemblage", Decimal("800"), Decimal("24000.00")),
                           (date(2026, 3, 1), "Débit", Decimal("1200"), Decimal("12000.00"))]


def test_negative_units_a_bad_month_and_a_missing_unit_count_are_reported_and_nothing_is_written(acme, bob):
    content = csv_bytes(["Période;Ligne;Quantité;Coût",
                         "2026-03;Débit;-5;100",
                         "13/2026;Débit;10;100",
                         "mars;Débit;10;100",
                         "2026-04;Débit;;100",
                         "2026-05;Débit;10;-1"])
    run = upload(acme, bob, content, kind="production", name="bad.csv")
    assert run.state == "invalid"
    assert _errors(run) == {(2, "units", "negative"), (3, "period", "bad_month"), (4, "period", "bad_month"),
                            (5, "units", "required"), (6, "cost", "negative")}
    assert not ProductionOutput.objects.for_org(acme).exists()


def test_the_same_month_and_line_twice_in_a_file_is_a_duplicate(acme, bob):
    content = csv_bytes(["Mois;Ligne;Unités", "03/2026;Débit;10", "2026-03-31;Débit;12"])
    run = upload(acme, bob, content, kind="production", name="twice.csv")
    assert _errors(run) == {(3, "period", "duplicate")}  # 31 March is in March


def test_a_bad_month_reads_in_french():
    from django.utils import translation

    with translation.override("fr"):
        assert row_message({"code": "bad_month", "params": {}}) == (
            "n’est pas un mois (écrivez 03/2026, 2026-03 ou mars 2026)")


@pytest.mark.parametrize("cell", ["2026-03", "03/2026", "3/2026", "Mars 2026", "march 2026", "2026-03-17",
                                  "17/03/2026", date(2026, 3, 17)])
def test_a_month_is_read_as_its_first_day(cell):
    assert parse_month(cell) == date(2026, 3, 1)


@pytest.mark.parametrize("cell", ["2026-13", "00/2026", "brumaire 2026", "mars", "2026"])
def test_what_is_not_a_month_is_refused(cell):
    with pytest.raises(CellError) as refused:
        parse_month(cell)
    assert refused.value.code == "bad_month"


def test_re_importing_the_file_changes_nothing_and_a_corrected_cost_updates_its_row(acme, bob):
    confirm(upload(acme, bob, csv_bytes(FILE), kind="production", name="production.csv"), bob)
    again = confirm(upload(acme, bob, csv_bytes(FILE), kind="production", name="production.csv"), bob)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "deleted": 0}
    corrected = [*FILE[:2], "03/2026;Assemblage;800;23 500,00", FILE[3]]
    fixed = confirm(upload(acme, bob, csv_bytes(corrected), kind="production", name="production-v2.csv"), bob)
    assert fixed.counts == {"created": 0, "updated": 1, "unchanged": 2, "deleted": 0}
    assert ProductionOutput.objects.for_org(acme).count() == 3
    assert ProductionOutput.objects.for_org(acme).get(line="Assemblage").cost == Decimal("23500.00")
    assert ProductionOutput.objects.for_org(acme).get(line="Finition").cost is None


def test_an_xlsx_with_excel_dates_imports(acme, bob):
    from datetime import datetime

    content = xlsx_bytes([["Month", "Workshop", "Units produced", "Production cost"],
                          [datetime(2026, 3, 1), "Débit", 1200, 12000.5]])
    run = confirm(upload(acme, bob, content, kind="production", name="production.xlsx"), bob)
    assert run.state == run.State.DONE, run.errors
    assert _rows(acme) == [(date(2026, 3, 1), "Débit", Decimal("1200"), Decimal("12000.50"))]


def test_a_push_with_one_bad_record_writes_nothing(client, acme, acme_ceo):
    body = [{"period": "2026-03", "line": "Débit", "units": "1200", "cost": "12000"},
            {"period": "2026-03", "line": "Assemblage", "units": "-3"},
            {"period": "2026-13", "line": "Finition", "units": "40"}]
    response = client.post(PATH, body, content_type="application/json", **_key(acme_ceo, Role.COO, can_write=True))
    assert response.status_code == 400
    assert [(e["index"], e["field"], e["code"]) for e in response.json()["errors"]] == [
        (1, "units", "negative"), (2, "period", "bad_month")]
    assert not ProductionOutput.objects.for_org(acme).exists()


def test_a_clean_push_writes_and_again_changes_nothing_and_feeds_cost_per_unit_by_line(
        client, acme, acme_ceo, django_capture_on_commit_callbacks):
    catalogue_install(acme)
    body = [{"period": "2026-03-01", "line": "Débit", "units": "200", "cost": "2000"},
            {"period": "2026-03-01", "line": "Assemblage", "units": "150", "cost": "4500"}]
    headers = _key(acme_ceo, Role.COO, can_write=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(PATH, body, content_type="application/json", **headers).json() == {
            "created": 2, "updated": 0, "unchanged": 0, "deleted": 0}
    assert client.post(PATH, body, content_type="application/json", **headers).json() == {
        "created": 0, "updated": 0, "unchanged": 2, "deleted": 0}
    values = dict(KpiValue.objects.for_org(acme).filter(
        kpi__slug="line_cost_per_unit", grain="month", period_start=date(2026, 3, 1)).values_list(
        "dimension_value", "value"))
    assert values == {"": Decimal("18.571429"), "Débit": Decimal("10"), "Assemblage": Decimal("30")}


@pytest.fixture
def pushed(client, acme_ceo):
    body = [{"period": "2026-03", "line": "Débit", "units": "1200", "cost": "12000"}]
    response = client.post(PATH, body, content_type="application/json", **_key(acme_ceo, Role.CEO, can_write=True))
    assert response.status_code == 200, response.content


def test_a_viewer_push_key_reads_its_production_back_without_the_cost(client, pushed, acme_ceo):
    response = client.get(PATH, **_key(acme_ceo, Role.VIEWER, can_write=True))
    [row] = response.json()["results"]
    assert row["line"] == "Débit" and Decimal(str(row["units"])) == 1200 and "cost" not in row


def test_a_viewer_cannot_list_pushed_production(client, pushed, acme):
    client.force_login(make_member(acme, role=Role.VIEWER).user)
    assert client.get(PATH).status_code == 403


def test_the_coo_reads_the_production_cost_back(client, pushed, bob):
    client.force_login(bob.user)
    [row] = client.get(PATH).json()["results"]
    assert Decimal(str(row["cost"])) == Decimal("12000")


@pytest.mark.parametrize("fields", [{"units": Decimal("-1")}, {"cost": Decimal("-0.01")},
                                    {"period": date(2026, 3, 2)}])
def test_the_database_refuses_negative_units_or_cost_and_a_month_not_on_its_first_day(acme, fields):
    from django.db import IntegrityError, transaction

    row = {"period": date(2026, 3, 1), "line": "Débit", "units": Decimal("10"), "cost": None, **fields}
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductionOutput.objects.create(organization=acme, source="api", external_id="x", **row)


def test_the_records_browser_lists_the_imported_production_and_who_imported_it(client, acme, acme_ceo, bob):
    confirm(upload(acme, bob, csv_bytes(FILE[:2]), kind="production", name="production.csv"), bob)
    client.force_login(acme_ceo.user)
    html = client.get("/o/acme/integrations/records/?type=productionoutput").content.decode()
    assert "Débit" in html and "import of production.csv by" in html
    assert "12,000" not in html and "12 000" not in html  # the cost stays on the KPI pages
