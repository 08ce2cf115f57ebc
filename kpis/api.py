"""KPI API: the catalogue, values by period and dimension, lineage (paginated) and what-if (saves nothing)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api_base import OrgScopedViewSet
from kpis import presenters, selectors
from kpis.models import Kpi
from kpis.periods import period_containing
from kpis.presenters.common import reason_text
from kpis.selectors import WhatIfChange
from kpis.serializers import (
    KpiSerializer,
    KpiValuesSerializer,
    LineageQuerySerializer,
    LineageSerializer,
    ValuesQuerySerializer,
    WhatIfRequestSerializer,
    WhatIfResponseSerializer,
)

SLUG = "[A-Za-z_][A-Za-z0-9_]*"


class KpiViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    """The KPIs the member may see (cost detail needs `kpis.view_costs`), by slug."""

    queryset = Kpi.objects.all()  # scoped: OrgScopedViewSet.get_queryset applies for_org
    serializer_class = KpiSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG
    capabilities = {  # noqa: RUF012 -- the walkers read this map
        "list": "kpis.view",
        "retrieve": "kpis.view",
        "values": "kpis.view",
        "lineage": "kpis.view",
        "what_if": "kpis.what_if",
    }

    def scope(self, queryset):
        self.visibility = selectors.kpi_visibility_for(self.request.org)
        visible = self.visibility.kpi_slugs_for(self.request.membership)
        return queryset.filter(is_active=True, slug__in=visible).order_by("category", "sort_order", "slug")

    @extend_schema(parameters=[ValuesQuerySerializer], responses=KpiValuesSerializer)
    @action(detail=True, methods=["get"])
    def values(self, request, org_slug=None, slug=None):
        """Materialised values of one KPI by period (month, fiscal quarter, fiscal year) and dimension."""
        kpi = self.get_object()
        query = ValuesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        today = timezone.localdate()
        end = q.get("end") or today
        start = q.get("start") or (end - timedelta(days=365))
        if end < start:
            raise serializers.ValidationError({"start": "The start comes after the end."})
        points = selectors.kpi_series(request.org, kpi=kpi, grain=q["grain"], start=start, end=end,
                                      dimension_value=q["dimension"])
        data = {
            "kpi": kpi.slug, "grain": q["grain"], "dimension": q["dimension"],
            "dimension_values": selectors.kpi_dimension_values(request.org, kpi=kpi, grain=q["grain"]),
            "results": [{"period_start": p.period.start, "period_end": p.period.end, "label": p.period.label(),
                         "value": p.value, "target": p.target,
                         "no_value_reason": reason_text(p.no_value_reason) if p.value is None else "",
                         "status": p.status} for p in points],
        }
        return Response(KpiValuesSerializer(data).data)

    @extend_schema(parameters=[LineageQuerySerializer], responses=LineageSerializer)
    @action(detail=True, methods=["get"])
    def lineage(self, request, org_slug=None, slug=None):
        """The canonical records behind each metric of one KPI value, a page at a time."""
        kpi = self.get_object()
        query = LineageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        org = request.org
        day = q.get("period") or selectors.current_period(org).previous().start
        period = period_containing(day, q["grain"], org.fiscal_year_start_month)
        pages = selectors.kpi_lineage(org, kpi=kpi, period=period, dimension_value=q["dimension"],
                                      metric_slug=q.get("metric") or None, page=q["page"],
                                      page_size=q["page_size"])
        data = {"kpi": kpi.slug, "metrics": [{
            "metric": p.metric.slug, "metric_name": p.metric.name, "record_type": p.metric.record_type,
            "period_start": p.period.start, "period_end": p.period.end, "total": p.total, "page": p.page,
            "page_size": p.page_size, "has_next": p.has_next,
            "results": [presenters.lineage_record_data(r, p.metric.record_type) for r in p.records],
        } for p in pages]}
        return Response(LineageSerializer(data).data)

    @extend_schema(request=WhatIfRequestSerializer, responses=WhatIfResponseSerializer)
    @action(detail=False, methods=["post"], url_path="what-if")
    def what_if(self, request, org_slug=None):
        """Move drivers by a percentage or to a value and get every dependent KPI before and after. Saves nothing."""
        body = WhatIfRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        b = body.validated_data
        org = request.org
        day = b.get("period") or selectors.current_period(org).previous().start
        period = period_containing(day, "month", org.fiscal_year_start_month)
        visible = {k.slug: k for k in self.get_queryset()}
        seen = self.visibility.slugs_for(request.membership)
        metrics = {m.slug for m in selectors.metrics_of(org) if m.slug in seen}
        changes = {}
        for change in b["changes"]:
            driver = change["driver"]
            if driver not in visible and driver not in metrics:
                raise serializers.ValidationError({"changes": f"Unknown driver {driver!r}."})
            changes[driver] = WhatIfChange(pct=change.get("pct"), value=change.get("value"))
        results = selectors.what_if(org, period=period, changes=changes, dimension_value=b["dimension"])
        rows = [{"kpi": s, "name": visible[s].name, "before": before, "after": after}
                for s, (before, after) in results.items() if s in visible]
        data = {"period_start": period.start, "saved": False, "results": rows}
        return Response(WhatIfResponseSerializer(data).data, status=status.HTTP_200_OK)
