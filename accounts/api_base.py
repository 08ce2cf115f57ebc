"""The base every DRF endpoint inherits: the organization comes from the URL and scopes every query."""

from __future__ import annotations

from rest_framework import permissions, viewsets

from accounts import rls


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
