"""Writes on team dashboards: create, settings and sharing, and the widgets' composition."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from accounts.models import Membership
from dashboards.models import Dashboard, Widget
from kpis.models import Kpi

MAX_WIDGETS = 40


@transaction.atomic
def dashboard_create(*, by: Membership, name: str, team: str = "", owner: Membership | None = None,
                     period: str = "month") -> Dashboard:
    """A new team dashboard, empty; shared with nobody until its composer says so."""
    return Dashboard.objects.create(organization=by.organization, name=name, team=team, owner=owner, period=period,
                                    created_by=by)


@transaction.atomic
def dashboard_update(*, dashboard: Dashboard, name: str, team: str, owner: Membership | None, period: str,
                     comparison: str, roles: list[str], members: list[Membership]) -> Dashboard:
    """Settings and sharing. The members shared with must belong to the dashboard's organization."""
    org_id = dashboard.organization_id
    if owner is not None and owner.organization_id != org_id:
        raise ValueError("The owner must be a member of the dashboard's company")
    if any(m.organization_id != org_id for m in members):
        raise ValueError("A dashboard is shared only within its company")
    dashboard.name, dashboard.team, dashboard.owner = name, team, owner
    dashboard.period, dashboard.comparison = period, comparison
    dashboard.shared_with_roles = f",{','.join(sorted(set(roles)))}," if roles else ""
    dashboard.save()
    dashboard.shared_with_members.set(members)
    return dashboard


def dashboard_period_set(*, dashboard: Dashboard, period: str, comparison: str) -> None:
    Dashboard.objects.for_org(dashboard.organization).filter(pk=dashboard.pk).update(period=period,
                                                                                     comparison=comparison)


@transaction.atomic
def widget_add(*, dashboard: Dashboard, kind: str, kpi: Kpi | None = None, kpis: list[Kpi] | None = None,
               width: int = Widget.Width.QUARTER, months: int = 12) -> Widget:
    """Appends a widget at the end. Its KPIs must be the dashboard's company's."""
    org = dashboard.organization
    if any(k.organization_id != org.pk for k in [kpi, *(kpis or [])] if k is not None):
        raise ValueError("A widget shows only its company's KPIs")
    widgets = Widget.objects.for_org(org).filter(dashboard=dashboard)
    if widgets.count() >= MAX_WIDGETS:
        raise ValueError("Too many widgets on one dashboard")
    last = widgets.aggregate(last=Max("position"))["last"]
    return Widget.objects.create(organization=org, dashboard=dashboard, kind=kind, kpi=kpi, width=width,
                                 months=months, position=0 if last is None else last + 1,
                                 kpi_slugs=[k.slug for k in kpis or []])


def widget_remove(*, widget: Widget) -> None:
    Widget.objects.for_org(widget.organization).filter(pk=widget.pk).delete()


@transaction.atomic
def widget_move(*, widget: Widget, offset: int) -> None:
    """Moves a widget `offset` places (−1 earlier, +1 later), renumbering the dashboard's widgets 0…n−1."""
    widgets = list(Widget.objects.for_org(widget.organization).filter(dashboard_id=widget.dashboard_id)
                   .select_for_update().order_by("position", "id"))
    index = next(i for i, w in enumerate(widgets) if w.pk == widget.pk)
    target = max(0, min(len(widgets) - 1, index + offset))
    widgets.insert(target, widgets.pop(index))
    for position, w in enumerate(widgets):
        if w.position != position:
            w.position = position
            w.save(update_fields=["position"])


def widget_resize(*, widget: Widget, width: int) -> None:
    if width not in Widget.Width.values:
        raise ValueError(f"Unknown width {width}")
    Widget.objects.for_org(widget.organization).filter(pk=widget.pk).update(width=width)


def dashboard_delete(*, dashboard: Dashboard) -> None:
    Dashboard.objects.for_org(dashboard.organization).filter(pk=dashboard.pk).delete()
