"""Read-only API: connections (never their credentials) and sync runs."""

from __future__ import annotations

from rest_framework import mixins, serializers

from accounts.api_base import OrgScopedViewSet
from integrations.models import Connection, SyncRun


class ConnectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Connection
        fields = ["id", "provider", "label", "status", "provider_account_id", "sync_interval", "last_success_at",
                  "last_full_sync_at", "last_error", "created_at"]
        read_only_fields = fields


class SyncRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SyncRun
        fields = ["id", "connection", "state", "trigger", "is_full", "attempt", "created_at", "started_at",
                  "finished_at", "progress", "pages", "counts", "errors", "skipped"]
        read_only_fields = fields


class ConnectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = Connection.objects.all()  # scoped: OrgScopedViewSet.get_queryset applies for_org
    serializer_class = ConnectionSerializer
    capabilities = {"*": "integrations.view"}

    def scope(self, queryset):
        return queryset.order_by("id")


class SyncRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = SyncRun.objects.all()  # scoped: OrgScopedViewSet.get_queryset applies for_org
    serializer_class = SyncRunSerializer
    capabilities = {"*": "integrations.view"}
    filter_backends: list = []

    def scope(self, queryset):
        # Plain id filters (no model choice field): another tenant's id is simply an empty list.
        connection = self.request.query_params.get("connection", "")
        if connection.isdigit():
            queryset = queryset.filter(connection_id=int(connection))
        state = self.request.query_params.get("state")
        if state:
            queryset = queryset.filter(state=state)
        return queryset.order_by("-created_at", "-id")
