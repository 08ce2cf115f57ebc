"""The base every DRF endpoint inherits: the organization comes from the URL and scopes every query."""

from __future__ import annotations

from django_filters import ModelChoiceFilter, ModelMultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from rest_framework import permissions, viewsets

from accounts import rls
from accounts.models import OrgOwned


class OrgScopedFilterSet(FilterSet):
    """Choices of related-object filters come from `request.org` only: `?parent=<another tenant's id>`
    is refused exactly like an id that does not exist, so a filter cannot tell which ids exist elsewhere."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        org = getattr(request, "org", None)
        for f in self.filters.values():
            if isinstance(f, ModelChoiceFilter | ModelMultipleChoiceFilter) and issubclass(f.queryset.model, OrgOwned):
                model = f.queryset.model
                f.queryset = model.objects.for_org(org) if org is not None else model.objects.none()


class OrgScopedFilterBackend(DjangoFilterBackend):
    filterset_base = OrgScopedFilterSet


class HasCapability(permissions.BasePermission):
    """Reads the view's `capabilities` map: action → capability (`"*"` is the default)."""

    def has_permission(self, request, view) -> bool:
        membership = getattr(request, "membership", None)
        if membership is None:
            return False
        caps = view.capabilities
        capability = caps.get(view.action or "", caps.get("*"))
        return capability is not None and membership.can(capability)


class OrgScopedViewSet(viewsets.GenericViewSet):
    """`get_queryset` is final: it scopes to `request.org`; subclasses narrow it in `scope()`."""

    permission_classes = [permissions.IsAuthenticated, HasCapability]
    filter_backends = [OrgScopedFilterBackend]
    capabilities: dict[str, str] = {}
    lookup_value_regex = "[0-9]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if getattr(request, "org", None) is not None:
            rls.request_org_set(request.org.pk)  # the row-level policies read the same organization

    def get_queryset(self):
        queryset = self.queryset.model.objects.for_org(self.request.org)
        return self.scope(queryset)

    def scope(self, queryset):
        return queryset

    def perform_create(self, serializer):
        serializer.save(organization=self.request.org)
