"""This app's part of the demo story (see accounts/demo.py): each company's CFO imports its budget.

The budgets are committed files (`budgets/demo_files/<company>.csv`, French Excel style), one per company,
each with an initial version and a version revised in June. The demo always ends in the current month, so
the files' fiscal year is moved to the current one before the upload; then the rows go through the real
import pipeline (validated whole, confirmed) and the CFO makes the revised version the reference. Maison
Lumen's November peak overran its external charges (transport, advertising) and purchases of goods.
"""

from __future__ import annotations

import re
from pathlib import Path

from accounts.capabilities import Role
from accounts.demo import DemoContext
from budgets.models import BudgetVersion
from budgets.services import budget_version_make_reference, fiscal_year_of, kpi_targets_from_budget
from imports import services as imports
from imports.models import ImportRun

FILES = Path(__file__).parent / "demo_files"
COMPANY_FILES = {"lumen": ("maison-lumen.csv", 2026), "nuage": ("nuage-analytics.csv", 2026),
                 "boisfin": ("atelier-bois-fin.csv", 2027)}  # the fiscal year each file was written for
REVISED = "Révisé en juin"
DAY = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


def seed(ctx: DemoContext) -> None:
    for company, (name, written_for) in COMPANY_FILES.items():
        cfo = ctx.member(company, Role.CFO)
        org = cfo.organization
        shift = fiscal_year_of(org, ctx.today)[0] - written_for
        text = DAY.sub(lambda m, shift=shift: f"{m[1]}/{m[2]}/{int(m[3]) + shift}",
                      (FILES / name).read_text(encoding="utf-8"))
        _upload(ctx, cfo, f"budget-{fiscal_year_of(org, ctx.today)[0]}.csv", text.encode("cp1252"))
        revised = BudgetVersion.objects.for_org(org).filter(name=REVISED).select_related("budget").first()
        if revised is not None:
            budget_version_make_reference(version=revised, by=cfo)
            if company == "lumen":
                months = kpi_targets_from_budget(budget=revised.budget, kpi_slug="ebe", by=cfo)
                ctx.log(f"  {org.name}: EBE targets set from the reference budget for {months} months")


def _upload(ctx: DemoContext, cfo, name: str, content: bytes) -> ImportRun:
    """Upload, validate and confirm as the page would (the demo runs the tasks' services itself)."""
    run = imports.import_run_create(org=cfo.organization, by=cfo, kind="budget", file_name=name, content=content)
    run.refresh_from_db()
    if run.state == ImportRun.State.VALIDATING:
        run = imports.import_run_validate(run=run)
    if run.state == ImportRun.State.READY:
        run = imports.import_run_confirm(run=run, by=cfo)
        if run.state == ImportRun.State.IMPORTING:
            run = imports.import_run_execute(run=run)
    ctx.log(f"  {cfo.organization.name} budget import {name}: {run.get_state_display()}, {run.rows_total} rows")
    return run
