"""`make demo`: Maison Lumen's operational data arrives through the import pipeline, one file refused with its report."""

from datetime import date

from accounts.demo import DemoContext, seed_people
from imports import demo
from imports.models import ImportRun
from accounts.models import ApiKey
from django.db.models import F

from integrations.models import Feedback, MarketingSpend, OperationalValue, Order, Return


def test_the_demo_imports_lumens_files_and_leaves_one_refused_with_its_report(db):
    ctx = DemoContext(today=date(2026, 11, 23), seed=42, log=lambda line: None)
    seed_people(ctx)
    demo.seed(ctx)
    lumen = ctx.companies["lumen"]
    runs = {run.file_name: run for run in ImportRun.objects.for_org(lumen)}
    assert runs["retours-a-corriger.csv"].state == ImportRun.State.INVALID
    assert {e["code"] for e in runs["retours-a-corriger.csv"].errors} == {"unknown_order", "bad_date", "bad_number"}
    assert runs["export-boutique-commandes.csv"].state == ImportRun.State.DONE
    orders = Order.objects.for_org(lumen)
    assert orders.filter(source="upload").count() == runs["export-boutique-commandes.csv"].rows_total > 15_000
    assert 0.04 < Return.objects.for_org(lumen).count() / orders.count() < 0.08
    assert OperationalValue.objects.for_org(lumen).filter(series=demo.CAPACITY_SERIES).count() > 100
    nuage = ctx.companies["nuage"]
    assert MarketingSpend.objects.for_org(nuage).filter(source="api").count() == 3 * 24
    assert ApiKey.objects.for_org(nuage).get(name="Outil marketing").can_write
    assert orders.filter(processed_at__isnull=False).count() > 15_000
    assert not orders.filter(processed_at__gt=F("shipped_at")).exists()
    assert Return.objects.for_org(lumen).exclude(reason="").count() == Return.objects.for_org(lumen).count()


def test_nuage_pushes_its_customer_feedback_with_its_survey_key(db):
    ctx = DemoContext(today=date(2026, 11, 23), seed=42, log=lambda line: None)
    seed_people(ctx)
    demo._nuage_pushes_its_feedback(ctx)
    nuage = ctx.companies["nuage"]
    answers = Feedback.objects.for_org(nuage).select_related("provenance")
    assert answers.filter(scale="nps").count() == 40 * 24 and answers.filter(scale="csat").count() == 60 * 24
    assert {a.provenance.describe().split(",")[0] for a in answers} == {"pushed by API key “Enquêtes clients”"}


def test_boisfins_coo_imports_the_production_by_line_adding_up_to_the_ledger_and_the_series(db):
    from decimal import Decimal

    from integrations.models import LedgerLine, ProductionOutput

    ctx = DemoContext(today=date(2026, 11, 23), seed=42, log=lambda line: None)
    seed_people(ctx)
    boisfin = ctx.companies["boisfin"]
    for n, (month, debit) in enumerate(((date(2026, 9, 1), "41000.00"), (date(2026, 10, 1), "43500.50"))):
        LedgerLine.objects.create(organization=boisfin, source="demo", external_id=f"L{n}", account_number="601000",
                                  date=month.replace(day=12), debit=Decimal(debit), credit=Decimal(0))
    demo._boisfin_imports_its_production(ctx)
    runs = {run.file_name: run for run in ImportRun.objects.for_org(boisfin)}
    assert runs["production-par-ligne.csv"].state == ImportRun.State.DONE
    lines = ProductionOutput.objects.for_org(boisfin)
    assert sorted(set(lines.values_list("line", flat=True))) == ["Chaises", "Rangements", "Tables"]
    series = dict(OperationalValue.objects.for_org(boisfin).filter(series="units_produced").values_list("date", "value"))
    for month, debit in ((date(2026, 9, 1), Decimal("41000.00")), (date(2026, 10, 1), Decimal("43500.50"))):
        of_month = lines.filter(period=month)
        assert sum(p.cost for p in of_month) == debit
        assert sum(p.units for p in of_month) == series[month]
        tables, chairs = of_month.get(line="Tables"), of_month.get(line="Chaises")
        assert tables.cost / tables.units > chairs.cost / chairs.units  # a table takes more work than a chair
