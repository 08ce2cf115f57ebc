"""Metrics, KPIs, targets and the materialised values of the KPI engine.

A `Metric` is one aggregation over one canonical record type (integrations/models.py); a `Kpi`
is a formula over metrics and other KPIs (kpis/engine/formula.py). The engine materialises one
`KpiValue` per (organization, KPI, grain, period start, dimension value) and keeps the inputs it
used, so every figure can be explained.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.capabilities import Role
from accounts.models import OrgOwned


class Grain(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Fiscal year")


class RecordType(models.TextChoices):
    """Canonical model names (integrations/models.py), the keys of `changes` in the sync hand-off."""

    INVOICE = "invoice", _("Invoices")
    PAYMENT = "payment", _("Payments")
    LEDGERLINE = "ledgerline", _("Ledger lines")
    BANKTRANSACTION = "banktransaction", _("Bank transactions")
    CUSTOMER = "customer", _("Customers")
    CONTACT = "contact", _("Contacts")
    DEAL = "deal", _("Deals")
    LEAD = "lead", _("Leads")
    SUBSCRIPTION = "subscription", _("Subscriptions")
    ORDER = "order", _("Orders")
    RETURN = "return", _("Returns")
    MARKETINGSPEND = "marketingspend", _("Marketing spend")
    OPERATIONALVALUE = "operationalvalue", _("Operational series")
    BUDGETLINE = "budgetline", _("Budget lines")  # kept by the budgets app, which registers it with the engine
    FEEDBACK = "feedback", _("Customer feedback")
    PRODUCTIONOUTPUT = "productionoutput", _("Production output")


class Metric(OrgOwned):
    """One aggregation over one canonical record type, placed in time by `date_field`.

    Aggregations:
    - flows (`sum`, `count`, `avg`, `distinct_count`, `min`, `max`, `percentile`): records whose
      `date_field` falls in the period (or, with `window_months`, in the N months ending with it);
    - `balance`: running total of `value` over every record dated on or before the period end
      (a stock such as net cash on 512 or receivables on 411);
    - `snapshot_sum` / `snapshot_count` / `snapshot_distinct_count`: records open on the snapshot
      day (`snapshot_at` = period end, or the day before the period starts), i.e.
      `date_field` ≤ day and (`end_field` empty or > day); `options` may add an age range
      (`age_field`, `age_min_days`, `age_max_days`) counted up to that day (ageing buckets);
    - `retained_mrr`: the MRR at period end of the customers subscribed at period start
      (`options.mode` = "net" keeps expansion, "gross" caps each customer at its start MRR;
      "start_customers" counts those customers, "lost_customers" those left with no MRR at period end);
      computed specially, in Python over one query of the subscriptions;
    - `best_run`: the highest sum of `value` (or count) over `options.run_days` consecutive days
      inside the period (throughput's best 4-week run), in Python over one query of the rows.

    `value` is a small expression over the record's fields: a field (`amount`), a sum or difference
    of fields (`credit - debit`), or a duration (`hours(shipped_at - placed_at)`,
    `days(delivered_on - promised_on)`), optionally floored with `max(0, …)`.
    `filters` is JSON: {"where": {lookup: value}, "exclude": {lookup: value},
    "accounts": {"include": ["70"], "exclude": ["709"]}} (PCG prefixes on ledger lines).
    """

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum")
        COUNT = "count", _("Count")
        AVG = "avg", _("Average")
        DISTINCT_COUNT = "distinct_count", _("Distinct count")
        MIN = "min", _("Minimum")
        MAX = "max", _("Maximum")
        PERCENTILE = "percentile", _("Percentile")
        BALANCE = "balance", _("Balance at period end")
        SNAPSHOT_SUM = "snapshot_sum", _("Sum of open records")
        SNAPSHOT_COUNT = "snapshot_count", _("Count of open records")
        SNAPSHOT_DISTINCT_COUNT = "snapshot_distinct_count", _("Distinct count of open records")
        RETAINED_MRR = "retained_mrr", _("Retained MRR of the starting customers")
        BEST_RUN = "best_run", _("Best run of consecutive days")

    class SnapshotAt(models.TextChoices):
        END = "end", _("Period end")
        START = "start", _("Period start")

    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    record_type = models.CharField(_("record type"), max_length=30, choices=RecordType.choices)
    aggregation = models.CharField(_("aggregation"), max_length=30, choices=Aggregation.choices)
    value = models.CharField(
        _("value"), max_length=200, blank=True, help_text=_("Field or expression; empty to count.")
    )
    distinct_field = models.CharField(_("distinct field"), max_length=80, blank=True)
    percentile = models.DecimalField(_("percentile"), max_digits=5, decimal_places=2, null=True, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    date_field = models.CharField(_("date field"), max_length=80)
    end_field = models.CharField(_("end field"), max_length=80, blank=True)
    snapshot_at = models.CharField(
        _("snapshot day"), max_length=10, choices=SnapshotAt.choices, default=SnapshotAt.END
    )
    window_months = models.PositiveSmallIntegerField(_("trailing window (months)"), null=True, blank=True)
    dimension_field = models.CharField(_("dimension field"), max_length=80, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    # Capability a member needs to see this metric (in formulas, previews, what-if, lineage); the catalogue
    # gives each built-in metric the visibility of the KPIs that read it (kpis/visibility.py).
    visibility_capability = models.CharField(_("visibility capability"), max_length=60, default="kpis.view")
    is_builtin = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="metric_org_slug_uniq")]
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Kpi(OrgOwned):
    class Unit(models.TextChoices):
        EUR = "eur", "€"
        PERCENT = "percent", "%"
        DAYS = "days", _("days")
        HOURS = "hours", _("hours")
        COUNT = "count", _("count")
        RATIO = "ratio", _("ratio")
        MONTHS = "months", _("months")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Category(models.TextChoices):
        FINANCIAL = "financial", _("Financial")
        REVENUE = "revenue", _("Revenue and customers")
        OPERATIONS = "operations", _("Operations")

    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    formula = models.TextField(_("formula"))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.EUR)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.FINANCIAL
    )
    owner_role = models.CharField(_("owner role"), max_length=20, choices=Role.choices, default=Role.CFO)
    # Capability a member needs to see this KPI at all ("kpis.view" for everyone, "kpis.view_costs" for costs).
    visibility_capability = models.CharField(_("visibility capability"), max_length=60, default="kpis.view")
    dimension_label = models.CharField(_("dimension"), max_length=80, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    is_builtin = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="kpi_org_slug_uniq")]
        ordering = ["category", "sort_order", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_percent(self) -> bool:
        return self.unit == self.Unit.PERCENT


class KpiTarget(OrgOwned):
    """The value a KPI should reach in one period of one grain.

    Status (kpis.selectors.kpi_status): with `t = at_risk_threshold` (a fraction, 0.10 = 10 %),
    a higher-is-better KPI is on track when value ≥ target, at risk when value ≥ target − t·|target|,
    off track below; a lower-is-better KPI is on track when value ≤ target, at risk when
    value ≤ target + t·|target|, off track above.
    """

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="targets")
    grain = models.CharField(_("grain"), max_length=10, choices=Grain.choices, default=Grain.MONTH)
    period_start = models.DateField(_("period start"))
    value = models.DecimalField(_("target"), max_digits=20, decimal_places=4)
    at_risk_threshold = models.DecimalField(
        _("at-risk margin"), max_digits=6, decimal_places=4, default=Decimal("0.10")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kpi", "grain", "period_start"], name="kpitarget_uniq"
            )
        ]


class KpiValue(OrgOwned):
    """A materialised value; `value` is null when it cannot be computed, and `no_value_reason` says why."""

    # No index of its own: the unique key and (organization, grain, period_start) lead with it, and the planner
    # preferred a lone organization index that reads every value of the tenant.
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+",
                                     db_index=False)
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="values")
    grain = models.CharField(max_length=10, choices=Grain.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    dimension_value = models.CharField(max_length=120, blank=True, default="")
    value = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    no_value_reason = models.CharField(max_length=255, blank=True)
    # {"metrics": {slug: "123.45" | null}, "kpis": {slug: "…" | null}}: what the formula read.
    inputs = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kpi", "grain", "period_start", "dimension_value"],
                name="kpivalue_uniq",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "grain", "period_start"], name="kpivalue_org_grain_idx")
        ]


class KpiAnnotation(OrgOwned):
    """A note on a KPI value ("why did it go up?"), shown on charts and in reports."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="annotations")
    grain = models.CharField(max_length=10, choices=Grain.choices, default=Grain.MONTH)
    period_start = models.DateField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "kpi", "period_start"], name="kpiannotation_kpi_idx")]
        ordering = ["period_start", "created_at"]


class KpiPendingChange(OrgOwned):
    """A day of a record type touched by a sync, waiting for the debounced recompute (kpis.tasks).

    Kept in the database rather than in the cache so that a burst of syncs never loses a change:
    the task reads and deletes exactly the rows it processed.
    """

    record_type = models.CharField(max_length=30, choices=RecordType.choices)
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "record_type", "day"], name="kpipendingchange_uniq"
            )
        ]


class KpiLedgerMonth(OrgOwned):
    """Ledger lines summed per (month, account): the engine's cache of the ledger, so an incremental
    recompute re-reads only the months a sync touched. A full recompute rebuilds it from the ledger."""

    month = models.DateField()
    account_number = models.CharField(max_length=20)
    debit = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))
    credit = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month", "account_number"], name="kpiledgermonth_uniq"
            )
        ]


class KpiForecast(OrgOwned):
    """The engine's forecast of a KPI at the end of an open period (the running month, quarter and fiscal
    year, and the fiscal year's months not started yet), written by the recompute next to the values.

    `method` is a code (kpis/engine/forecast.py explains each), translated when displayed; `basis` keeps
    its figures (days elapsed, seasonal factors, the share that blocked a too-early forecast…). `as_of` is
    the day the forecast was made: the elapsed share moves every day, so a daily beat refreshes them.
    """

    class Method(models.TextChoices):
        TOO_EARLY = "too_early", _("Too early to forecast")
        RUN_RATE = "run_rate", _("Run-rate of the days elapsed")
        SEASONAL = "seasonal", _("Value to date × last year's seasonality")
        LAST_YEAR = "last_year", _("Same month last year")
        CURRENT_PACE = "current_pace", _("The running month's pace")
        SUM_OF_MONTHS = "sum_of_months", _("Closed months' actuals plus each open month's forecast")
        RATIO_OF_FORECASTS = "ratio_of_forecasts", _("From the forecasts of its numerator and denominator")
        RATIO_HELD = "ratio_held", _("Held at its value to date")
        STOCK_TREND = "stock_trend", _("Value today plus its 90-day trend")
        STOCK_FLAT = "stock_flat", _("Value today (no history for a trend)")
        LEVEL_TO_DATE = "level_to_date", _("Value to date (an average does not grow with time)")
        NO_FORECAST = "no_forecast", _("No forecast")
        ACTUAL = "actual", _("The period is over: its actual value")

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+",
                                     db_index=False)  # the unique key leads with it
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="forecasts")
    grain = models.CharField(max_length=10, choices=Grain.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    method = models.CharField(max_length=30, choices=Method.choices)
    elapsed = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0"))
    to_date = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    # The same days of the period before and of the same period last year (quarter-to-date comparisons).
    previous_same_days = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    last_year_same_days = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    last_year = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    basis = models.JSONField(default=dict, blank=True)
    as_of = models.DateField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kpi", "grain", "period_start"], name="kpiforecast_uniq"
            )
        ]


class KpiDataPresence(OrgOwned):
    """What the last recompute found among the company's records, so that a page says what would feed a KPI
    (or that ledger accounts are mapped to no PCG class) without reading a raw record at render."""

    record_types = models.JSONField(default=list)  # the canonical record types with live rows
    unmapped_accounts = models.PositiveIntegerField(default=0)
    unmapped_amount = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="kpidatapresence_uniq")]
