"""REST push of records by machines (`POST records/<type>/`), and what was pushed (`GET`), per record type."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response

from accounts.api_base import OrgScopedViewSet
from accounts.api_input import BoundedJSONParser
from imports.push import BatchRefused, record_as_item, records_push
from imports.registry import KINDS, kind_class
from integrations.models import Source
from integrations.services import CANONICAL_MODELS

PushErrors = inline_serializer("PushErrors", fields={"errors": inline_serializer("PushError", many=True, fields={
    "index": serializers.IntegerField(allow_null=True), "field": serializers.CharField(),
    "code": serializers.CharField(), "message": serializers.CharField()})})
PushCounts = inline_serializer("PushCounts", fields={
    "created": serializers.IntegerField(), "updated": serializers.IntegerField(),
    "unchanged": serializers.IntegerField(), "deleted": serializers.IntegerField()})


class RecordPushViewSet(mixins.ListModelMixin, OrgScopedViewSet):
    """Base of the per-type viewsets below; `kind_key` names the record type."""

    kind_key = ""
    capabilities = {"list": "kpis.view", "create": "imports.manage"}
    filter_backends: list = []
    parser_classes = [BoundedJSONParser]  # a batch is a JSON list, nothing else

    def scope(self, queryset):
        return queryset.filter(source=Source.API, is_deleted=False).order_by("-id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([record_as_item(self.kind_key, row) for row in page])

    def handle_exception(self, exc):
        if isinstance(exc, ParseError):  # not JSON, or nested too deep: the same error body as a bad batch
            return Response({"errors": [{"index": None, "field": "", "code": "parse", "message": str(exc.detail)}]},
                            status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)

    def create(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                result = records_push(org=request.org, kind=self.kind_key, items=request.data)
        except BatchRefused as exc:
            return Response({"errors": [{"index": None, "field": "", "code": "batch", "message": exc.message}]},
                            status=status.HTTP_400_BAD_REQUEST)
        if result.errors:
            return Response({"errors": result.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(result.counts, status=status.HTTP_200_OK)


def _viewset(key: str) -> type[RecordPushViewSet]:
    cls = kind_class(key)
    model = CANONICAL_MODELS[cls.model]
    fields = {c.name: serializers.CharField(required=c.required, help_text=str(c.label)) for c in cls.columns}
    items = inline_serializer(f"{cls.__name__}Item", fields=fields, many=True)
    doc = f"{cls.label}: {cls.description} Natural key: {', '.join(cls.natural_key)}."
    viewset = type(f"{cls.__name__}PushViewSet", (RecordPushViewSet,), {
        "kind_key": key, "queryset": model.objects.all(),  # scoped: OrgScopedViewSet.get_queryset applies for_org
        "__doc__": doc})
    viewset.list = extend_schema(summary=f"{cls.label} pushed through the API", responses=items)(
        viewset.list)
    viewset.create = extend_schema(
        summary=f"Push {cls.label} (all or nothing, idempotent on the natural key)", description=doc,
        request=items,
        responses={200: PushCounts, 400: OpenApiResponse(PushErrors, description="Nothing was written.")},
    )(viewset.create)
    return viewset


PUSH_VIEWSETS = {key: _viewset(key) for key in KINDS if kind_class(key).pushable}
