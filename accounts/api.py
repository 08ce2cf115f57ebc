from rest_framework import mixins, serializers

from accounts.api_base import OrgScopedViewSet
from accounts.models import Membership


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.display_name", read_only=True)
    is_consultant = serializers.BooleanField(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "name", "role", "is_consultant", "created_at"]


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = Membership.objects.all()  # scoped: OrgScopedViewSet.get_queryset applies for_org
    serializer_class = MembershipSerializer
    capabilities = {"*": "members.view"}

    def scope(self, queryset):
        return queryset.select_related("user").order_by("user__email")
