"""REST API of the cascade: objectives, key results, action plans and check-ins.

Reads need `objectives.view`. Writes go through the services, which apply the capability table:
creating or changing an objective or key result needs a steering role (`objectives.check_in`) and
then the capability of the objective's kind (a CRO may not touch a financial objective: 403).
Every related field of an input serializer is limited to the organization in the URL.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.api_base import OrgScopedViewSet
from accounts.models import Membership
from kpis.models import Kpi
from kpis.periods import validate_period_day
from kpis.selectors import kpi_visibility_for
from objectives import selectors, services
from objectives.models import ActionPlan, CheckIn, KeyResult, Objective


def _org_queryset(field: serializers.RelatedField, queryset) -> None:
    target = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
    target.queryset = queryset


class OrgScopedSerializer(serializers.ModelSerializer):
    """Limits each related field named in `org_fields` to the request's organization; dates stay within the
    years periods may cover."""

    org_fields: dict[str, type] = {}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        org = getattr(request, "org", None)  # None while drf-spectacular builds the schema
        for name, model in self.org_fields.items():
            if name in fields and not fields[name].read_only:
                _org_queryset(fields[name], model.objects.for_org(org) if org else model.objects.none())
        for field in fields.values():
            if isinstance(field, serializers.DateField) and not field.read_only:
                field.validators = [*field.validators, validate_period_day]
        return fields


def _call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc))
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class ObjectiveSerializer(OrgScopedSerializer):
    org_fields = {"owner": Membership, "parent": Objective}

    class Meta:
        model = Objective
        fields = ["id", "title", "description", "kind", "period_kind", "period_start", "period_end", "owner",
                  "owner_role", "parent", "status", "weight", "check_in_every_days", "team", "created_at",
                  "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"owner_role": {"required": False}, "owner": {"required": False}}


class ObjectiveDetailSerializer(ObjectiveSerializer):
    progress = serializers.SerializerMethodField()
    risk = serializers.SerializerMethodField()

    class Meta(ObjectiveSerializer.Meta):
        fields = ObjectiveSerializer.Meta.fields + ["progress", "risk"]

    def _node(self, obj):
        if not hasattr(self, "_nodes"):
            self._nodes = {}
        if obj.pk not in self._nodes:
            self._nodes[obj.pk] = selectors.objective_node(obj.organization, objective=obj)
        return self._nodes[obj.pk]

    def get_progress(self, obj) -> float | None:
        node = self._node(obj)
        return None if node.progress is None else float(node.progress)

    def get_risk(self, obj) -> dict:
        risk = self._node(obj).risk
        return {"score": risk.score, "level": risk.level,
                "factors": [{"key": f.key, "points": float(f.points), "detail": f.detail} for f in risk.factors]}


class ObjectiveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = Objective.objects.all()  # scoped: OrgScopedViewSet.get_queryset applies for_org
    serializer_class = ObjectiveSerializer
    capabilities = {"list": "objectives.view", "retrieve": "objectives.view", "create": "objectives.check_in",
                    "partial_update": "objectives.check_in"}
    filterset_fields = ["kind", "status", "owner", "parent"]

    def scope(self, queryset):
        return queryset.select_related("owner__user").order_by("period_start", "id")

    def get_serializer_class(self):
        return ObjectiveDetailSerializer if self.action == "retrieve" else ObjectiveSerializer

    def create(self, request, org_slug=None):
        serializer = ObjectiveSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        objective = _call(services.objective_create, by=request.membership, **serializer.validated_data)
        return Response(ObjectiveSerializer(objective, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    def partial_update(self, request, org_slug=None, pk=None):
        objective = self.get_object()
        serializer = ObjectiveSerializer(objective, data=request.data, partial=True,
                                         context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        objective = _call(services.objective_update, objective=objective, by=request.membership,
                          **serializer.validated_data)
        return Response(ObjectiveSerializer(objective, context=self.get_serializer_context()).data)


class KeyResultSerializer(OrgScopedSerializer):
    org_fields = {"objective": Objective, "kpi": Kpi}

    class Meta:
        model = KeyResult
        fields = ["id", "objective", "title", "kpi", "dimension_value", "start_value", "target_value", "direction",
                  "unit", "weight", "is_manual", "manual_value", "manual_value_at", "created_at"]
        read_only_fields = ["id", "manual_value_at", "created_at"]

    HIDDEN_FIGURES = ("start_value", "target_value", "manual_value")

    def _visible_kpi_ids(self) -> set[int]:
        request = self.context.get("request")
        if "visible_kpi_ids" not in self.context:
            membership = getattr(request, "membership", None)
            self.context["visible_kpi_ids"] = set() if membership is None else \
                kpi_visibility_for(request.org).kpi_ids_for(membership)
        return self.context["visible_kpi_ids"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if getattr(request, "org", None) is not None and not fields["kpi"].read_only:
            # A key result may only be bound to a KPI the member may see (kpis.selectors.kpi_visibility_for).
            fields["kpi"].queryset = fields["kpi"].queryset.filter(pk__in=self._visible_kpi_ids())
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.kpi_id is not None and instance.kpi_id not in self._visible_kpi_ids():
            for name in self.HIDDEN_FIGURES:
                data[name] = None  # the key result exists; its figures are those of a KPI the member may not see
        return data


class KeyResultViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = KeyResult.objects.all()  # scoped: OrgScopedViewSet.get_queryset applies for_org
    serializer_class = KeyResultSerializer
    capabilities = {"list": "objectives.view", "retrieve": "objectives.view", "create": "objectives.check_in",
                    "partial_update": "objectives.check_in"}
    filterset_fields = ["objective", "kpi", "is_manual"]

    def scope(self, queryset):
        return queryset.select_related("kpi").order_by("id")

    def create(self, request, org_slug=None):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        objective = data.pop("objective")
        kr = _call(services.key_result_create, objective=objective, by=request.membership, **data)
        return Response(self.get_serializer(kr).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, org_slug=None, pk=None):
        kr = self.get_object()
        serializer = self.get_serializer(kr, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.pop("objective", kr.objective) != kr.objective:
            raise ValidationError({"objective": "A key result cannot move to another objective."})
        data.pop("manual_value", None)  # typed through a check-in, so it stays in the history
        kr = _call(services.key_result_update, key_result=kr, by=request.membership, **data)
        return Response(self.get_serializer(kr).data)


class ActionPlanSerializer(OrgScopedSerializer):
    org_fields = {"objective": Objective, "owner": Membership, "key_results": KeyResult}

    class Meta:
        model = ActionPlan
        fields = ["id", "objective", "title", "owner", "team", "due_date", "status", "key_results", "checklist",
                  "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_checklist(self, value):
        if not isinstance(value, list) or not all(isinstance(i, dict) and isinstance(i.get("text"), str)
                                                  for i in value):
            raise serializers.ValidationError('A list of {"text": "…", "done": false} items.')
        return [{"text": i["text"][:200], "done": bool(i.get("done"))} for i in value]


class ActionPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = ActionPlan.objects.all()  # scoped: OrgScopedViewSet.get_queryset applies for_org
    serializer_class = ActionPlanSerializer
    capabilities = {"list": "objectives.view", "retrieve": "objectives.view", "create": "action_plans.manage",
                    "partial_update": "action_plans.manage"}
    filterset_fields = ["objective", "status", "owner"]

    def scope(self, queryset):
        return queryset.prefetch_related("key_results").order_by("due_date", "id")

    def create(self, request, org_slug=None):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        objective = data.pop("objective")
        data["key_results"] = list(data.get("key_results", []))
        plan = _call(services.action_plan_create, objective=objective, by=request.membership, **data)
        return Response(self.get_serializer(plan).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, org_slug=None, pk=None):
        plan = self.get_object()
        serializer = self.get_serializer(plan, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.pop("objective", plan.objective) != plan.objective:
            raise ValidationError({"objective": "An action plan cannot move to another objective."})
        key_results = data.pop("key_results", None)
        plan = _call(services.action_plan_update, plan=plan, by=request.membership,
                     key_results=list(key_results) if key_results is not None else None, **data)
        return Response(self.get_serializer(plan).data)


class CheckInSerializer(OrgScopedSerializer):
    org_fields = {"objective": Objective, "key_result": KeyResult}

    class Meta:
        model = CheckIn
        fields = ["id", "objective", "key_result", "author", "date", "confidence", "confidence_score", "value",
                  "note", "created_at"]
        read_only_fields = ["id", "author", "date", "created_at"]


class CheckInViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    """Check-ins are history: created, never edited."""

    queryset = CheckIn.objects.all()  # scoped: OrgScopedViewSet.get_queryset applies for_org
    serializer_class = CheckInSerializer
    capabilities = {"list": "objectives.view", "retrieve": "objectives.view", "create": "objectives.check_in"}
    filterset_fields = ["objective", "key_result", "confidence"]

    def scope(self, queryset):
        return queryset.order_by("-date", "-id")

    def create(self, request, org_slug=None):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        objective = data.pop("objective")
        check_in = _call(services.check_in_create, objective=objective, by=request.membership, **data)
        return Response(self.get_serializer(check_in).data, status=status.HTTP_201_CREATED)
