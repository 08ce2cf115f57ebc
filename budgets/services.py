"""Writes of the budgets app: budgets and versions, a cell or a row of the grid, copies, the reference,
the rows an import brings, and KPI targets taken from the reference budget (STYLE.md §4).

Every write that changes what the KPI engine reads (the reference version's lines) announces the months
it touched through `integrations.events.records_changed`, the seam every record writer uses.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_log_record
from accounts.models import Membership, Organization
from budgets.models import Budget, BudgetLine, BudgetVersion
from integrations.events import records_changed_announce
from kpis.periods import add_months, period_containing

RECORD_TYPE = "budgetline"
PREFIX_RE = re.compile(r"^[67][0-9]{1,7}$")
AMOUNT_MAX = Decimal("99999999999999.99")
DEFAULT_VERSION = "Initial"


def fiscal_year_of(org: Organization, month: date) -> tuple[int, date]:
    """(fiscal year named after the year it ends in, its first month) of the month."""
    year = period_containing(month, "year", org.fiscal_year_start_month)
    return year.fiscal_year, year.start


def fiscal_months(budget: Budget) -> list[date]:
    return [add_months(budget.start, i) for i in range(12)]


def clean_prefix(value: str) -> str:
    prefix = str(value or "").strip().replace(" ", "")
    if not PREFIX_RE.match(prefix):
        raise ValidationError(_("An account prefix is 2 to 8 digits of class 6 (charges) or 7 (income), such as 64 "
                                "or 706."), code="bad_prefix")
    return prefix


def clean_amount(value) -> Decimal:
    """A typed amount ("1 234,56", "1234.56", "") as a Decimal of cents; blank is zero."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        if not text:
            return Decimal(0)
        if "," in text and "." in text:
            text = text.replace(".", "") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
        try:
            amount = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("Type an amount, such as 12 500 or 12500,50."), code="bad_amount") from None
    if not amount.is_finite() or abs(amount) > AMOUNT_MAX:
        raise ValidationError(_("Type an amount, such as 12 500 or 12500,50."), code="bad_amount")
    if amount < 0:
        raise ValidationError(_("Type a positive amount: a line's class says whether it is a charge or an "
                                "income."), code="negative")
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def budget_version_get_or_create(*, org: Organization, month: date, name: str = DEFAULT_VERSION,
                                 by: Membership | None = None) -> BudgetVersion:
    """The named version of the budget of the fiscal year containing `month` (both made if missing).
    The first version of a budget is its reference."""
    name = (name or "").strip()[:80] or DEFAULT_VERSION
    fiscal_year, start = fiscal_year_of(org, month)
    budget, _created = Budget.objects.get_or_create(organization=org, fiscal_year=fiscal_year,
                                                    defaults={"start": start})
    version = BudgetVersion.objects.for_org(org).filter(budget=budget, name=name).first()
    if version is None:
        has_reference = BudgetVersion.objects.for_org(org).filter(budget=budget, is_reference=True).exists()
        version = BudgetVersion.objects.create(organization=org, budget=budget, name=name,
                                               is_reference=not has_reference, created_by=by)
        audit_log_record(org=org, actor=by.user if by else None, action="budget.version_created", target=version,
                         data={"fiscal_year": fiscal_year, "name": name})
    return version


@transaction.atomic
def budget_row_save(*, version: BudgetVersion, account_prefix: str, label: str, amounts: dict[date, object],
                    by: Membership | None) -> list[BudgetLine]:
    """Save one row of the grid (its label and any of its twelve months); errors name the month refused."""
    org = version.organization
    prefix = clean_prefix(account_prefix)
    label = (label or "").strip()[:150]
    months = set(fiscal_months(version.budget))
    errors, clean = {}, {}
    for month, raw in amounts.items():
        if month not in months:
            errors[month.isoformat()] = _("This month is outside the budget's fiscal year.")
            continue
        try:
            clean[month] = clean_amount(raw)
        except ValidationError as exc:
            errors[month.isoformat()] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    existing = {line.month: line for line in BudgetLine.objects.for_org(org).filter(version=version,
                                                                                   account_number=prefix)}
    if not label:
        label = next(iter(existing.values())).label if existing else prefix
    changed: set[date] = set()
    for month in sorted(months):
        line = existing.get(month)
        amount = clean.get(month, line.amount if line else Decimal(0))
        if line is None:
            existing[month] = BudgetLine.objects.create(organization=org, version=version, account_number=prefix,
                                                        label=label, month=month, amount=amount)
            changed.add(month)
        elif line.amount != amount or line.label != label:
            if line.amount != amount:
                changed.add(month)
            line.amount, line.label = amount, label
            line.save(update_fields=["amount", "label", "updated_at"])
    if changed:
        audit_log_record(org=org, actor=by.user if by else None, action="budget.row_saved", target=version,
                         data={"account": prefix, "months": sorted(m.isoformat() for m in changed)})
        _announce(version, changed)
    return [existing[m] for m in sorted(months)]


def budget_cell_save(*, version: BudgetVersion, account_prefix: str, month: date, amount,
                     by: Membership | None) -> BudgetLine:
    """Save one cell of the grid (HTMX, as the CFO leaves it)."""
    lines = budget_row_save(version=version, account_prefix=account_prefix, label="", amounts={month: amount}, by=by)
    return next(line for line in lines if line.month == month)


@transaction.atomic
def budget_row_delete(*, version: BudgetVersion, account_prefix: str, by: Membership | None) -> None:
    org = version.organization
    rows = BudgetLine.objects.for_org(org).filter(version=version, account_number=account_prefix)
    months = set(rows.values_list("month", flat=True))
    rows.delete()
    if months:
        audit_log_record(org=org, actor=by.user if by else None, action="budget.row_deleted", target=version,
                         data={"account": account_prefix})
        _announce(version, months)


@transaction.atomic
def budget_version_copy(*, version: BudgetVersion, name: str, by: Membership | None) -> BudgetVersion:
    """A new version (a revision) with every line of `version`; not the reference until made so."""
    org = version.organization
    name = (name or "").strip()[:80]
    if not name:
        raise ValidationError({"name": _("Name the new version, such as “Revised in June”.")})
    if BudgetVersion.objects.for_org(org).filter(budget=version.budget, name=name).exists():
        raise ValidationError({"name": _("This budget already has a version with this name.")})
    copy = BudgetVersion.objects.create(organization=org, budget=version.budget, name=name, copied_from=version,
                                        created_by=by)
    BudgetLine.objects.bulk_create([
        BudgetLine(organization=org, version=copy, account_number=line.account_number, label=line.label,
                   month=line.month, amount=line.amount)
        for line in BudgetLine.objects.for_org(org).filter(version=version)
    ])
    audit_log_record(org=org, actor=by.user if by else None, action="budget.version_copied", target=copy,
                     data={"from": version.name, "name": name})
    return copy


@transaction.atomic
def budget_version_make_reference(*, version: BudgetVersion, by: Membership | None) -> BudgetVersion:
    """Variances and KPI budgets now read this version; the months of both versions are recomputed."""
    org = version.organization
    previous = BudgetVersion.objects.for_org(org).filter(budget=version.budget, is_reference=True).exclude(
        pk=version.pk).first()
    if previous is None and version.is_reference:
        return version
    if previous is not None:
        BudgetVersion.objects.filter(pk=previous.pk).update(is_reference=False)
    version.is_reference = True
    version.save(update_fields=["is_reference"])
    audit_log_record(org=org, actor=by.user if by else None, action="budget.reference_set", target=version,
                     data={"name": version.name, "previous": previous.name if previous else None})
    records_changed_announce(org=org, changes={RECORD_TYPE: set(fiscal_months(version.budget))})
    return version


def _announce(version: BudgetVersion, months: set[date]) -> None:
    """Only the reference version feeds the engine: other versions' edits recompute nothing."""
    if version.is_reference:
        records_changed_announce(org=version.organization, changes={RECORD_TYPE: months})


@transaction.atomic
def budget_lines_upsert(*, org: Organization, rows: list[dict], by: Membership | None = None) -> dict[str, int]:
    """Write an import's validated rows (version, account, label, month, amount) on their natural key:
    re-importing a file updates its lines and creates no duplicate. Returns the counts; 3 queries + 1 per
    version made or changed line."""
    counts = {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0}
    versions: dict[tuple[int, str], BudgetVersion] = {}
    for row in rows:
        key = (fiscal_year_of(org, row["month"])[0], row["version"])
        if key not in versions:
            versions[key] = budget_version_get_or_create(org=org, month=row["month"], name=row["version"], by=by)
    existing = {(line.version_id, line.account_number, line.month): line for line in
                BudgetLine.objects.for_org(org).filter(version__in=list(versions.values()))}
    to_create, to_update = [], []
    touched: dict[int, tuple[BudgetVersion, set[date]]] = {}
    for row in rows:
        version = versions[(fiscal_year_of(org, row["month"])[0], row["version"])]
        line = existing.get((version.pk, row["account"], row["month"]))
        label = row.get("label") or (line.label if line else row["account"])
        if line is None:
            to_create.append(BudgetLine(organization=org, version=version, account_number=row["account"],
                                        label=label, month=row["month"], amount=row["amount"]))
            counts["created"] += 1
        elif line.amount != row["amount"] or line.label != label:
            line.amount, line.label = row["amount"], label
            to_update.append(line)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
            continue
        touched.setdefault(version.pk, (version, set()))[1].add(row["month"])
    BudgetLine.objects.bulk_create(to_create, batch_size=1000)
    BudgetLine.objects.bulk_update(to_update, ["amount", "label"], batch_size=1000)
    for version, months in touched.values():
        _announce(version, months)
    return counts


# --- KPI targets from the reference budget -------------------------------------------------------------

BUDGET_KPI_PREFIX = "budget_"  # `budget_revenue` is the budget of `revenue` (kpis/catalogue/kpis.toml)


@transaction.atomic
def kpi_targets_from_budget(*, budget: Budget, kpi_slug: str, by: Membership | None) -> int:
    """Set the KPI's twelve monthly targets of the fiscal year to its budget (the `budget_<slug>` KPI, which the
    engine computes from the reference version); returns how many months got a target."""
    from kpis.models import Kpi, KpiValue
    from kpis.services import kpi_target_set, kpi_values_recompute

    org = budget.organization
    kpi = Kpi.objects.for_org(org).filter(slug=kpi_slug).first()
    budget_kpi = Kpi.objects.for_org(org).filter(slug=BUDGET_KPI_PREFIX + kpi_slug, is_active=True).first()
    if kpi is None or budget_kpi is None:
        raise ValidationError(_("This KPI has no budget to take its targets from."))
    if not BudgetVersion.objects.for_org(org).filter(budget=budget, is_reference=True).exists():
        raise ValidationError(_("This budget has no reference version yet."))
    kpi_values_recompute(org=org, kpi_slugs={budget_kpi.slug}, include_dependents=False)
    months = fiscal_months(budget)
    values = dict(KpiValue.objects.for_org(org).filter(kpi=budget_kpi, grain="month", dimension_value="",
                                                      period_start__in=months, value__isnull=False)
                  .values_list("period_start", "value"))
    for month in months:
        if month in values:
            kpi_target_set(kpi=kpi, by=None, grain="month", period_start=month, value=values[month])
    audit_log_record(org=org, actor=by.user if by else None, action="budget.targets_set", target=kpi,
                     data={"fiscal_year": budget.fiscal_year, "months": len(values)})
    return len(values)
