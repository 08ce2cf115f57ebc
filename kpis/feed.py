"""The BI feed: materialised KPI values as CSV or JSON, for Power BI, Excel ("From web") and Looker Studio.

One row per KPI × period × dimension value, with its unit, target and status. Authenticated like the
rest of the API (an API key, or a session); a key sees only the KPIs its role may see. Filters:
`kpi` (repeatable or comma-separated slugs), `grain` (month, quarter, year), `start` and `end` (ISO dates).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date

from django.core.exceptions import BadRequest
from django.http import JsonResponse, StreamingHttpResponse

from accounts.decorators import require_capability
from accounts.exports import neutralise
from accounts.models import Membership, Organization
from kpis.models import Grain, KpiForecast, KpiTarget, KpiValue
from kpis.selectors import kpi_catalogue_for, kpi_status

COLUMNS = ["kpi", "name", "grain", "period_start", "period_end", "dimension", "value", "unit", "target", "status",
           "forecast", "forecast_method", "computed_at"]
FIRST_YEAR, LAST_YEAR = 1990, 2100


def kpi_feed_rows(org: Organization, *, membership: Membership, slugs: list[str], grain: str | None,
                  start: date | None, end: date | None) -> Iterator[dict]:
    """Rows of the feed, in KPI then period order; 4 queries whatever the number of rows. Open periods carry
    the forecast the recompute materialised (the same figure as the KPI page's)."""
    kpis = {k.pk: k for k in kpi_catalogue_for(org, membership=membership) if not slugs or k.slug in slugs}
    values = KpiValue.objects.for_org(org).filter(kpi_id__in=list(kpis)).order_by("kpi_id", "grain", "period_start",
                                                                                 "dimension_value")
    targets_qs = KpiTarget.objects.for_org(org).filter(kpi_id__in=list(kpis))
    if grain:
        values, targets_qs = values.filter(grain=grain), targets_qs.filter(grain=grain)
    if start:
        values, targets_qs = values.filter(period_start__gte=start), targets_qs.filter(period_start__gte=start)
    if end:
        values, targets_qs = values.filter(period_start__lte=end), targets_qs.filter(period_start__lte=end)
    targets = {(t.kpi_id, t.grain, t.period_start): t for t in targets_qs}
    forecasts_qs = KpiForecast.objects.for_org(org).filter(kpi_id__in=list(kpis))
    if grain:
        forecasts_qs = forecasts_qs.filter(grain=grain)
    forecasts = {(f.kpi_id, f.grain, f.period_start): f for f in forecasts_qs.only(
        "kpi_id", "grain", "period_start", "value", "method")}
    for v in values.iterator(chunk_size=2000):
        kpi = kpis[v.kpi_id]
        target = targets.get((v.kpi_id, v.grain, v.period_start)) if not v.dimension_value else None
        forecast = forecasts.get((v.kpi_id, v.grain, v.period_start)) if not v.dimension_value else None
        yield {
            "kpi": kpi.slug, "name": kpi.name, "grain": v.grain, "period_start": v.period_start.isoformat(),
            "period_end": v.period_end.isoformat(), "dimension": v.dimension_value,
            "value": _plain(v.value), "unit": kpi.unit,
            "target": None if target is None else _plain(target.value),
            "status": kpi_status(kpi, value=v.value, target=target.value if target else None,
                                 at_risk_threshold=target.at_risk_threshold if target else 0) if target else "no_data",
            "forecast": _plain(forecast.value) if forecast is not None else None,
            "forecast_method": forecast.method if forecast is not None else "",
            "computed_at": v.computed_at.isoformat(),
        }


def _plain(number) -> str | None:
    """`3500`, `3001.5`: no exponent, no trailing zeros, a point as the decimal mark (machines read it)."""
    return None if number is None else format(number.normalize(), "f")


def _filters(request) -> dict:
    slugs = [s for value in request.GET.getlist("kpi") for s in value.split(",") if s]
    grain = request.GET.get("grain") or None
    if grain is not None and grain not in Grain.values:
        raise BadRequest("grain must be month, quarter or year.")
    return {"slugs": slugs, "grain": grain, "start": _date(request, "start"), "end": _date(request, "end")}


def _date(request, name: str) -> date | None:
    text = request.GET.get(name)
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{name} must be an ISO date (2026-01-31).") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadRequest(f"{name} must be between {FIRST_YEAR} and {LAST_YEAR}.")
    return day


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_capability("kpis.view")
def kpi_values_feed_csv(request, org_slug):
    try:
        rows = kpi_feed_rows(request.org, membership=request.membership, **_filters(request))
    except BadRequest as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(COLUMNS)
        for row in rows:
            yield writer.writerow([neutralise("" if row[c] is None else row[c]) for c in COLUMNS])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{request.org.slug}-kpi-values.csv"'
    return response


@require_capability("kpis.view")
def kpi_values_feed_json(request, org_slug):
    try:
        rows = list(kpi_feed_rows(request.org, membership=request.membership, **_filters(request)))
    except BadRequest as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    return JsonResponse({"organization": request.org.slug, "columns": COLUMNS, "rows": rows})
