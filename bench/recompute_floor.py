"""The floor of the full recompute: hand-written PostgreSQL computing the same metric values as the engine
(months, quarters and years of a calendar fiscal year), one statement per record type, nothing else.

It is what a person who knows the data would write by hand: GROUPING SETS over the month, quarter and
year, FILTER clauses for the ledger's account prefixes, window sums for balances and open receivables,
`percentile_cont` for percentiles. `bench/recompute_ratios.py` checks it equal to the engine and times both.

Covered: every ledger flow and balance of the catalogue without a trailing window, invoice revenue and
open receivables, every order metric but the best 28 days, returns, and the deal counts, amounts and cycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import connection

# Ledger metrics: slug → (sign of the debit − credit difference, SQL condition on account_number).
LEDGER_FLOWS = {
    "revenue_ledger": (-1, "a LIKE '70%'"),
    "sales_goods": (-1, "(a LIKE '707%' OR a LIKE '7097%')"),
    "production_sold": (-1, "a LIKE '70%' AND a NOT LIKE '707%' AND a NOT LIKE '7097%'"),
    "stored_production": (-1, "a LIKE '713%'"),
    "capitalised_production": (-1, "a LIKE '72%'"),
    "purchases_goods": (1, "(a LIKE '607%' OR a LIKE '6097%')"),
    "stock_change_goods": (1, "a LIKE '6037%'"),
    "external_consumption": (1, "(a LIKE '60%' OR a LIKE '61%' OR a LIKE '62%') AND a NOT LIKE '607%' "
                                "AND a NOT LIKE '6037%' AND a NOT LIKE '6097%'"),
    "cost_of_goods_sold": (1, "(a LIKE '601%' OR a LIKE '602%' OR a LIKE '607%' OR a LIKE '6031%' OR "
                              "a LIKE '6032%' OR a LIKE '6037%' OR a LIKE '6091%' OR a LIKE '6092%' OR a LIKE '6097%')"),
    "operating_grants": (-1, "a LIKE '74%'"),
    "taxes": (1, "a LIKE '63%'"),
    "personnel": (1, "a LIKE '64%'"),
    "provision_writebacks": (-1, "(a LIKE '781%' OR a LIKE '791%')"),
    "other_operating_income": (-1, "a LIKE '75%'"),
    "other_operating_charges": (1, "a LIKE '65%'"),
    "depreciation": (1, "a LIKE '681%'"),
    "financial_income": (-1, "a LIKE '76%'"),
    "financial_charges": (1, "a LIKE '66%'"),
    "exceptional_income": (-1, "a LIKE '77%'"),
    "exceptional_charges": (1, "a LIKE '67%'"),
    "profit_share": (1, "a LIKE '691%'"),
    "corporate_tax": (1, "a LIKE '695%'"),
    "charges_total": (1, "a LIKE '6%' AND a NOT LIKE '66%' AND a NOT LIKE '67%' AND a NOT LIKE '69%'"),
    "production_cost": (1, "(a LIKE '60%' OR a LIKE '61%' OR a LIKE '62%' OR a LIKE '64%') AND a NOT LIKE '607%' "
                           "AND a NOT LIKE '6037%' AND a NOT LIKE '6097%'"),
}
LEDGER_BALANCES = {
    "cash_512": (1, "a LIKE '512%'"),
    "receivables_411": (1, "a LIKE '411%'"),
    "stocks_3": (1, "a LIKE '3%'"),
    "payables_40": (-1, "a LIKE '40%' AND a NOT LIKE '409%'"),
}
GRAINS = ("month", "quarter", "year")
# The engine buckets datetimes by the tenant's local day (settings.TIME_ZONE).
LOCAL = "Europe/Paris"

FloorValues = dict[tuple[str, str, date], Decimal]


def _grain_columns(day: str) -> str:
    return (f"date_trunc('month', {day})::date AS month, date_trunc('quarter', {day})::date AS quarter, "
            f"date_trunc('year', {day})::date AS year")


GROUPS = "GROUP BY GROUPING SETS ((month), (quarter), (year))"
# A stock read at each month's end, and at the end of each quarter and year (their last month, or the running one).
_AT_PERIOD_ENDS = """SELECT month, NULL::date, NULL::date, {values} FROM cumulated
    UNION ALL SELECT NULL, date_trunc('quarter', month)::date, NULL, {values} FROM cumulated
              WHERE extract(month FROM month)::int %% 3 = 0 OR month = date_trunc('month', %s::date)
    UNION ALL SELECT NULL, NULL, date_trunc('year', month)::date, {values} FROM cumulated
              WHERE extract(month FROM month) = 12 OR month = date_trunc('month', %s::date)"""


def _escaped(condition: str) -> str:
    """LIKE patterns in a statement sent with parameters: % is written %%."""
    return condition.replace("%", "%%")


def _collect(cursor, slugs: Iterable[str], out: FloorValues) -> None:
    slugs = list(slugs)
    for row in cursor.fetchall():
        month, quarter, year, *values = row
        grain, start = ("month", month) if month else ("quarter", quarter) if quarter else ("year", year)
        for slug, v in zip(slugs, values, strict=True):
            if v is not None:
                out[(slug, grain, start)] = Decimal(v)


def floor_values(org_id: int, *, today: date) -> FloorValues:
    """Every covered metric's value per (slug, grain, period start), for periods starting by `today`."""
    out: FloorValues = {}
    with connection.cursor() as c:
        # Ledger flows: one scan, one grouped pass over (month, quarter, year).
        flows = ", ".join(f"{sign} * sum(debit - credit) FILTER (WHERE {_escaped(cond)})"
                          for sign, cond in LEDGER_FLOWS.values())
        c.execute(f"""SELECT {_grain_columns('date')}, {flows}
                      FROM (SELECT date, account_number AS a, debit, credit FROM integrations_ledgerline
                            WHERE organization_id = %s AND NOT is_deleted AND date <= %s) AS l {GROUPS}""",
                  [org_id, today])
        _collect(c, LEDGER_FLOWS, out)
        # Ledger balances: monthly movements, their running sum, read at each period's last month.
        moves = ", ".join(f"{sign} * sum(debit - credit) FILTER (WHERE {_escaped(cond)}) AS b{i}"
                          for i, (sign, cond) in enumerate(LEDGER_BALANCES.values()))
        running = ", ".join(f"sum(coalesce(b{i}, 0)) OVER (ORDER BY month) AS b{i}" for i in range(len(LEDGER_BALANCES)))
        picked = ", ".join(f"b{i}" for i in range(len(LEDGER_BALANCES)))
        c.execute(f"""WITH monthly AS (
                          SELECT date_trunc('month', date)::date AS month, {moves}
                          FROM (SELECT date, account_number AS a, debit, credit FROM integrations_ledgerline
                                WHERE organization_id = %s AND NOT is_deleted AND date <= %s) AS l GROUP BY 1),
                      cumulated AS (SELECT month, {running} FROM monthly)
                      {_AT_PERIOD_ENDS.format(values=picked)}""", [org_id, today, today, today])
        _collect(c, LEDGER_BALANCES, out)

        # Invoices: revenue excl. and incl. VAT by issue date, void ones left out.
        c.execute(f"""SELECT {_grain_columns('issue_date')}, sum(amount_excl_tax), sum(amount_incl_tax)
                      FROM integrations_invoice WHERE organization_id = %s AND NOT is_deleted AND kind = 'customer'
                           AND NOT is_void AND issue_date <= %s {GROUPS}""", [org_id, today])
        _collect(c, ["revenue_invoices", "sales_incl_vat"], out)
        # Open receivables at each period end: issued so far − paid so far − payments so far (running sums).
        c.execute(f"""WITH inv AS (SELECT id, issue_date, paid_date, amount_incl_tax FROM integrations_invoice
                                  WHERE organization_id = %s AND NOT is_deleted AND kind = 'customer'
                                        AND NOT is_void AND NOT is_credit_note),
                          -- a payment lowers what is due from its month until the invoice is settled
                          pay AS (SELECT p.date, p.amount, inv.paid_date FROM integrations_payment p
                                  JOIN inv ON inv.id = p.invoice_id
                                  WHERE p.organization_id = %s AND NOT p.is_deleted
                                        AND (inv.paid_date IS NULL
                                             OR date_trunc('month', p.date) <= date_trunc('month', inv.paid_date))),
                          moves AS (
                              SELECT date_trunc('month', issue_date)::date AS month, amount_incl_tax AS v FROM inv
                              UNION ALL SELECT date_trunc('month', paid_date)::date, -amount_incl_tax FROM inv
                                        WHERE paid_date IS NOT NULL
                              UNION ALL SELECT date_trunc('month', p.date)::date, -p.amount FROM pay p
                              UNION ALL SELECT date_trunc('month', p.paid_date)::date, p.amount FROM pay p
                                        WHERE p.paid_date IS NOT NULL),
                          months AS (SELECT generate_series(date_trunc('month', (SELECT min(issue_date) FROM inv)),
                                                            date_trunc('month', %s::date), interval '1 month')::date AS month),
                          cumulated AS (
                              SELECT months.month, sum(coalesce(sum(moves.v), 0)) OVER (ORDER BY months.month) AS v
                              FROM months LEFT JOIN moves ON moves.month = months.month GROUP BY months.month)
                     {_AT_PERIOD_ENDS.format(values='v')}""",
                  [org_id, org_id, today, today, today])
        _collect(c, ["open_receivables"], out)

        # Orders: shipped counts, units, cost, processing hours (mean, median, p90) by local ship day…
        c.execute(f"""SELECT {_grain_columns('d')}, count(*), sum(units), sum(fulfilment_cost), avg(h),
                             percentile_cont(0.5) WITHIN GROUP (ORDER BY h), percentile_cont(0.9) WITHIN GROUP (ORDER BY h)
                      FROM (SELECT (shipped_at AT TIME ZONE '{LOCAL}')::date AS d, units, fulfilment_cost,
                                   extract(epoch FROM shipped_at - placed_at) / 3600 AS h
                            FROM integrations_order WHERE organization_id = %s AND NOT is_deleted
                                 AND shipped_at IS NOT NULL) AS o
                      WHERE d <= date_trunc('month', %s::date) + interval '1 month' - interval '1 day' {GROUPS}""",
                  [org_id, today])
        _collect(c, ["orders_shipped", "units_shipped", "fulfilment_cost", "processing_hours_mean",
                     "processing_hours_median", "processing_hours_p90"], out)
        # … and delivery delays by delivery day.
        c.execute(f"""SELECT {_grain_columns('delivered_on')}, avg(greatest(0, delivered_on - promised_on)),
                             avg(least(1, greatest(0, delivered_on - promised_on)))
                      FROM integrations_order WHERE organization_id = %s AND NOT is_deleted
                           AND delivered_on IS NOT NULL AND promised_on IS NOT NULL
                           AND delivered_on <= date_trunc('month', %s::date) + interval '1 month' - interval '1 day'
                      {GROUPS}""", [org_id, today])
        _collect(c, ["delivery_delay_days", "late_delivery_share"], out)
        c.execute(f"""SELECT {_grain_columns('returned_on')}, sum(units), sum(amount) FROM integrations_return
                      WHERE organization_id = %s AND NOT is_deleted AND returned_on <= %s {GROUPS}""", [org_id, today])
        _collect(c, ["units_returned", "returns_value"], out)

        # Deals by close date: won and lost counts, won amount, sales cycle; the open qualified pipeline.
        c.execute(f"""SELECT {_grain_columns('close_date')},
                             count(*) FILTER (WHERE is_closed AND is_won), count(*) FILTER (WHERE is_closed AND NOT is_won),
                             sum(amount) FILTER (WHERE is_closed AND is_won),
                             avg(close_date - created_on) FILTER (WHERE is_closed AND is_won),
                             sum(amount) FILTER (WHERE NOT is_closed AND is_qualified)
                      FROM integrations_deal WHERE organization_id = %s AND NOT is_deleted AND close_date IS NOT NULL
                           AND close_date <= date_trunc('month', %s::date) + interval '1 month' - interval '1 day'
                      {GROUPS}""", [org_id, today])
        _collect(c, ["deals_won", "deals_lost", "won_amount", "sales_cycle_days", "open_pipeline"], out)
    return out


COVERED = [*LEDGER_FLOWS, *LEDGER_BALANCES, "revenue_invoices", "sales_incl_vat", "open_receivables",
           "orders_shipped", "units_shipped", "fulfilment_cost", "processing_hours_mean", "processing_hours_median",
           "processing_hours_p90", "delivery_delay_days", "late_delivery_share", "units_returned", "returns_value",
           "deals_won", "deals_lost", "won_amount", "sales_cycle_days", "open_pipeline"]


def as_date(v) -> date:
    return v.date() if isinstance(v, datetime) else v
