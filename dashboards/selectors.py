"""Which dashboards a member sees and may compose."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import Membership
from config.kept_sql import kept_query
from dashboards.models import Dashboard, Widget


def dashboards_for(membership: Membership) -> QuerySet[Dashboard]:
    """Team dashboards shared with the member (by role or by name), owned by them, or all for a composer."""
    qs = Dashboard.objects.for_org(membership.organization).select_related("owner__user")
    if membership.can("dashboards.manage"):
        return qs
    return qs.filter(Q(owner=membership) | Q(shared_with_members=membership)
                     | Q(shared_with_roles__contains=f",{membership.role},")).distinct()


def dashboard_tabs_for(membership: Membership, *, limit: int = 20) -> list[Dashboard]:
    """The first team dashboards the member sees (dashboards_for), as the role dashboard's tabs list them; 1 query,
    its SQL compiled once per member (config.kept_sql)."""
    return kept_query(("dashboards.tabs", membership.organization_id, membership.pk, membership.role,
                       membership.can("dashboards.manage"), limit), lambda: dashboards_for(membership)[:limit])


def may_compose(membership: Membership, dashboard: Dashboard) -> bool:
    """A CEO or an Admin (`dashboards.manage`) composes any team dashboard; its owner composes their own."""
    return membership.can("dashboards.manage") or (dashboard.owner_id is not None
                                                   and dashboard.owner_id == membership.pk)


def dashboard_for(membership: Membership, dashboard_id: int) -> Dashboard:
    """A dashboard the member sees, with its widgets; another's (or another tenant's) is a 404."""
    def build():
        widgets = Widget.objects.for_org(membership.organization).select_related("kpi")
        return dashboards_for(membership).prefetch_related(Prefetch("widgets", queryset=widgets)).filter(
            pk=dashboard_id)[:1]

    found = kept_query(("dashboards.detail", membership.organization_id, membership.pk, membership.role,
                        membership.can("dashboards.manage"), dashboard_id), build)
    if not found:
        raise Http404
    return found[0]


def composable_dashboard(membership: Membership, dashboard_id: int) -> Dashboard:
    """A dashboard the member may compose; one they only read has no composer for them (404, as the walker expects
    of objects out of reach)."""
    dashboard = dashboard_for(membership, dashboard_id)
    if not may_compose(membership, dashboard):
        raise Http404
    return dashboard


def widget_of(dashboard: Dashboard, widget_id: int) -> Widget:
    widget = Widget.objects.for_org(dashboard.organization).filter(dashboard=dashboard, pk=widget_id).first()
    if widget is None:
        raise Http404
    return widget
