"""Where the engine reads canonical records: model per record type, and how a metric filters them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import models
from django.db.models import Q

from integrations import models as canonical
from kpis.engine.formula import (
    Binary,
    Call,
    FormulaError,
    Num,
    Ref,
    Unary,
    parse_value_expression,
    references,
)
from kpis.periods import Period, add_months

RECORD_MODELS: dict[str, type[models.Model]] = {
    "invoice": canonical.Invoice,
    "payment": canonical.Payment,
    "ledgerline": canonical.LedgerLine,
    "banktransaction": canonical.BankTransaction,
    "customer": canonical.Customer,
    "contact": canonical.Contact,
    "deal": canonical.Deal,
    "lead": canonical.Lead,
    "subscription": canonical.Subscription,
    "order": canonical.Order,
    "return": canonical.Return,
    "marketingspend": canonical.MarketingSpend,
    "operationalvalue": canonical.OperationalValue,
    "feedback": canonical.Feedback,
    "productionoutput": canonical.ProductionOutput,
}

# The field that says since when a tenant has records of a type: periods before it have "no data".
COVERAGE_FIELD = {
    "invoice": "issue_date",
    "payment": "date",
    "ledgerline": "date",
    "banktransaction": "date",
    "customer": "acquired_on",
    "contact": "created_on",
    "deal": "created_on",
    "lead": "created_on",
    "subscription": "started_on",
    "order": "placed_at",
    "return": "returned_on",
    "marketingspend": "date",
    "operationalvalue": "date",
    "feedback": "date",
    "productionoutput": "period",
}

FLOW_AGGREGATIONS = {"sum", "count", "avg", "distinct_count", "min", "max", "percentile", "best_run"}
SNAPSHOT_AGGREGATIONS = {"snapshot_sum", "snapshot_count", "snapshot_distinct_count"}
# Aggregations whose value is 0 (not "no value") when no record matches in a covered period.
ADDITIVE = {"sum", "count", "distinct_count", "balance", *SNAPSHOT_AGGREGATIONS}


def model_for(record_type: str) -> type[models.Model]:
    try:
        return RECORD_MODELS[record_type]
    except KeyError:
        raise FormulaError(f"Unknown record type {record_type!r}") from None


def field_of(model: type[models.Model], path: str) -> models.Field:
    """The model field at the end of a `__` path (customer__segment)."""
    current = model
    field = None
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except Exception:
            raise FormulaError(f"{model._meta.model_name} has no field {path!r}") from None
        if field.is_relation and field.related_model is not None:
            current = field.related_model
    return field


def is_datetime(model: type[models.Model], path: str) -> bool:
    return isinstance(field_of(model, path), models.DateTimeField)


def date_lookup(model: type[models.Model], path: str) -> str:
    """The lookup that compares a date or datetime field with dates (datetimes by local day)."""
    return f"{path}__date" if is_datetime(model, path) else path


def _start_of(day: date):
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time.min))


def day_q(
    model: type[models.Model],
    path: str,
    *,
    gte: date | None = None,
    lte: date | None = None,
    lt: date | None = None,
    gt: date | None = None,
) -> Q:
    """Compare a date or datetime field with days. A datetime is compared with the local midnights that
    bound the days (never `__date`, which SQLite evaluates row by row in Python, and which hides the
    column from PostgreSQL's indexes)."""
    if not is_datetime(model, path):
        bounds = {"gte": gte, "lte": lte, "lt": lt, "gt": gt}
        return Q(**{f"{path}__{op}": v for op, v in bounds.items() if v is not None})
    q = Q()
    if gte is not None:
        q &= Q(**{f"{path}__gte": _start_of(gte)})
    if gt is not None:
        q &= Q(**{f"{path}__gte": _start_of(gt + timedelta(days=1))})
    if lte is not None:
        q &= Q(**{f"{path}__lt": _start_of(lte + timedelta(days=1))})
    if lt is not None:
        q &= Q(**{f"{path}__lt": _start_of(lt)})
    return q


def metric_q(metric) -> Q:
    """The metric's own filters (field lookups and PCG account prefixes), without any period."""
    filters = metric.filters or {}
    q = Q(is_deleted=False)
    where = filters.get("where") or {}
    if where:
        q &= Q(**where)
    for key, value in (filters.get("exclude") or {}).items():
        q &= ~Q(**{key: value})
    accounts = filters.get("accounts") or {}
    include = accounts.get("include") or []
    if include:
        any_of = Q()
        for prefix in include:
            any_of |= Q(account_number__startswith=str(prefix))
        q &= any_of
    for prefix in accounts.get("exclude") or []:
        q &= ~Q(account_number__startswith=str(prefix))
    return q


def snapshot_day(metric, period: Period) -> date:
    return period.start - timedelta(days=1) if metric.snapshot_at == "start" else period.end


def flow_span(metric, period: Period) -> tuple[date, date]:
    """The days whose records make a flow metric's value for the period (N months ending with it when windowed)."""
    if metric.window_months:
        return add_months(period.end, -(metric.window_months - 1)), period.end
    return period.start, period.end


def span_q(metric, period: Period) -> Q:
    """The records of the period for this metric, as a Q (also what lineage lists)."""
    model = model_for(metric.record_type)
    d = metric.date_field
    if metric.aggregation == "balance":
        return day_q(model, d, lte=period.end)
    if metric.aggregation in SNAPSHOT_AGGREGATIONS or metric.aggregation == "retained_mrr":
        day = snapshot_day(metric, period)
        q = day_q(model, d, lte=day)
        if metric.end_field:
            q &= Q(**{f"{metric.end_field}__isnull": True}) | day_q(model, metric.end_field, gt=day)
        options = metric.options or {}
        age_field = options.get("age_field")
        if age_field:
            if options.get("age_min_days") is not None:
                q &= day_q(model, age_field, lte=day - timedelta(days=int(options["age_min_days"])))
            if options.get("age_max_days") is not None:
                q &= day_q(model, age_field, gte=day - timedelta(days=int(options["age_max_days"])))
        return q
    start, end = flow_span(metric, period)
    return day_q(model, d, gte=start, lte=end)


# --- value expressions -----------------------------------------------------------------------------

_DECIMAL = models.DecimalField(max_digits=28, decimal_places=6)


def value_fields(metric) -> list[str]:
    if not metric.value:
        return []
    return sorted(references(parse_value_expression(metric.value)))


def needs_python(metric) -> bool:
    """Durations, percentiles and retained MRR are aggregated in Python over one query of the rows."""
    if metric.aggregation in ("percentile", "retained_mrr", "best_run"):
        return True
    if not metric.value:
        return False
    return _has_duration(parse_value_expression(metric.value))


def in_database(metric) -> bool:
    """Whether a metric `needs_python` can still be aggregated in SQL: on PostgreSQL, a flow (sum, avg, min,
    max, count, percentile) whose durations subtract two fields of the same kind (datetimes or dates).
    SQLite has no percentile and no portable interval arithmetic: it keeps the Python path (tested equal)."""
    from django.db import connection

    if connection.vendor != "postgresql" or metric.aggregation not in {"sum", "avg", "min", "max", "count",
                                                                         "percentile"}:
        return False
    if not metric.value:
        return True
    model = model_for(metric.record_type)
    return _durations_in_sql(model, parse_value_expression(metric.value))


def _durations_in_sql(model, node) -> bool:
    if isinstance(node, Call) and node.name in ("hours", "days"):
        inner = node.args[0] if len(node.args) == 1 else None
        return (isinstance(inner, Binary) and inner.op == "-" and isinstance(inner.left, Ref)
                and isinstance(inner.right, Ref)
                and is_datetime(model, inner.left.name) == is_datetime(model, inner.right.name))
    if isinstance(node, Call):
        return all(_durations_in_sql(model, a) for a in node.args)
    if isinstance(node, Binary):
        return _durations_in_sql(model, node.left) and _durations_in_sql(model, node.right)
    if isinstance(node, Unary):
        return _durations_in_sql(model, node.operand)
    return True


def _duration_seconds(model, node):
    """hours()/days() of `a - b` as seconds in SQL: EXTRACT(EPOCH …) of two datetimes, days × 86400 of two dates."""
    from django.db.models import F, Func

    a, b = node.left.name, node.right.name
    template = ("EXTRACT(EPOCH FROM (%(expressions)s))" if is_datetime(model, a)
                else "((%(expressions)s) * 86400)")
    return Func(F(a), F(b), arg_joiner=" - ", template=template, output_field=_DECIMAL)


def _has_duration(node) -> bool:
    if isinstance(node, Call):
        return node.name in ("hours", "days") or any(_has_duration(a) for a in node.args)
    if isinstance(node, Binary):
        return _has_duration(node.left) or _has_duration(node.right)
    if isinstance(node, Unary):
        return _has_duration(node.operand)
    return False


def value_expression(metric):
    """The metric's value as a database expression (DB-aggregated metrics only)."""
    from django.db.models import ExpressionWrapper, F, Value
    from django.db.models.functions import Abs, Greatest, Least

    def compile_(n):
        if isinstance(n, Num):
            return Value(n.value, output_field=_DECIMAL)
        if isinstance(n, Ref):
            return F(n.name)
        if isinstance(n, Unary):
            return ExpressionWrapper(
                Value(0, output_field=_DECIMAL) - compile_(n.operand), output_field=_DECIMAL
            )
        if isinstance(n, Binary):
            left, right = compile_(n.left), compile_(n.right)
            ops = {"+": left + right, "-": left - right, "*": left * right, "/": left / right}
            if n.op not in ops:
                raise FormulaError("Comparisons are not allowed in a metric value", n.pos)
            return ExpressionWrapper(ops[n.op], output_field=_DECIMAL)
        if isinstance(n, Call) and n.name in ("hours", "days"):
            seconds = _duration_seconds(model, n.args[0])
            return ExpressionWrapper(seconds / Value(3600 if n.name == "hours" else 86400, output_field=_DECIMAL),
                                     output_field=_DECIMAL)
        if isinstance(n, Call):
            args = [compile_(a) for a in n.args]
            if n.name == "abs":
                return Abs(args[0], output_field=_DECIMAL)
            if len(args) == 1:
                return args[0]
            return (Greatest if n.name == "max" else Least)(*args, output_field=_DECIMAL)
        raise FormulaError("Unsupported value expression")

    model = model_for(metric.record_type)
    return compile_(parse_value_expression(metric.value))


def compile_python_value(node):
    """The value expression as a Python function of a row (compiled once, called per row)."""
    if isinstance(node, Num):
        value = node.value
        return lambda row: value
    if isinstance(node, Ref):
        name = node.name
        return lambda row: row.get(name)
    if isinstance(node, Unary):
        inner = compile_python_value(node.operand)

        def negate(row):
            v = inner(row)
            return None if v is None else -v

        return negate
    if isinstance(node, Binary):
        left, right, op = compile_python_value(node.left), compile_python_value(node.right), node.op

        def binary(row):
            a, b = left(row), right(row)
            if a is None or b is None:
                return None
            if op == "+":
                return a + b
            if op == "-":
                return _minus(a, b)
            if op == "*":
                return a * b
            if op == "/":
                return None if b == 0 else a / b
            return None

        return binary
    if isinstance(node, Call):
        args = [compile_python_value(a) for a in node.args]
        name = node.name
        divisor = {"hours": Decimal(3600), "days": Decimal(86400)}.get(name)

        def call(row):
            values = [a(row) for a in args]
            if any(v is None for v in values):
                return None
            if divisor is not None:
                return _seconds(values[0]) / divisor
            if name == "abs":
                return abs(values[0])
            return max(values) if name == "max" else min(values)

        return call
    return lambda row: None


def _minus(a, b):
    from datetime import datetime

    if isinstance(a, datetime) and not isinstance(b, datetime):
        a = a.date()
    if isinstance(b, datetime) and not isinstance(a, datetime):
        b = b.date()
    return a - b


def _seconds(v) -> Decimal:
    if isinstance(v, timedelta):
        return Decimal(v.days * 86400 + v.seconds) + Decimal(v.microseconds) / Decimal(1_000_000)
    return Decimal(v)


def record_type_register(record_type: str, model: type[models.Model], *, coverage_field: str) -> None:
    """A record type kept by a higher app (budgets), registered from its AppConfig.ready so that the
    engine never imports it. The model carries `organization`, `is_deleted` and `account_number`
    (for `accounts` filters) like the canonical records."""
    RECORD_MODELS[record_type] = model
    COVERAGE_FIELD[record_type] = coverage_field
