"""Dashboard pages: each member's role dashboard (the home page), team dashboards, and their composer.

Views are thin: `dashboards.widgets` shapes the figures, `dashboards.services` writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import require_capability
from dashboards import selectors, services
from dashboards.defaults import role_layout, widget_spec
from dashboards.forms import (
    DashboardCreateForm,
    DashboardSettingsForm,
    WidgetForm,
    WidgetMoveForm,
    WidgetResizeForm,
)
from dashboards.models import Widget
from dashboards.periods import comparison_options, dashboard_period, period_options
from dashboards.widgets import dashboard_view
from kpis import selectors as kpi_selectors
from objectives.panels import home_panel as objectives_panel


def _render_dashboard(request, *, specs, title, period_key, comparison, team="", dashboard=None, fill_tiles=False,
                      with_panels=False):
    today = timezone.localdate()
    period = dashboard_period(request.org, key=period_key, comparison=comparison, today=today)
    view = dashboard_view(request.org, membership=request.membership, specs=specs, period=period, team=team,
                          fill_tiles=fill_tiles, today=today, since=request.GET.get("since") if request.htmx else None)
    if view.unchanged:
        return HttpResponse(status=204)  # nothing recomputed since the page was drawn: htmx keeps it
    panels = []
    if with_panels:  # the objectives' to-do list for the member, from the tree the widgets read
        panel = objectives_panel(request.membership, tree=view.tree, visible_kpi_ids=view.visible_kpi_ids)
        panels = [panel] if panel else []
    context = {"view": view, "title": title, "dashboard": dashboard, "stamp": view.stamp,
               "periods": period_options(period.key), "comparisons": comparison_options(period.comparison),
               # the role dashboard lists the team dashboards; a team dashboard links back (one query less)
               "team_dashboards": selectors.dashboard_tabs_for(request.membership) if dashboard is None else [],
               "may_compose": dashboard is not None and selectors.may_compose(request.membership, dashboard),
               "self_url": request.path, "panels": panels}
    template = "dashboards/partials/body.html" if request.htmx else "dashboards/dashboard.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


@require_GET
@require_capability("dashboards.view")
def role_dashboard(request, org_slug):
    """The member's role dashboard: the home page of a company (accounts:org_home lands here)."""
    return _render_dashboard(
        request, specs=role_layout(request.membership.role), fill_tiles=True,
        with_panels=True,
        title=_("%(role)s dashboard") % {"role": request.membership.get_role_display()},
        period_key=request.GET.get("period", "month"), comparison=request.GET.get("comparison", "previous"))


@require_GET
@require_capability("dashboards.view")
def dashboard_list(request, org_slug):
    """Team dashboards the member sees; a composer (`dashboards.manage`) creates one here."""
    return _list_page(request, DashboardCreateForm(org=request.org))


def _list_page(request, form, status=200):
    return render(request, "dashboards/dashboard_list.html", {
        "dashboards": list(selectors.dashboards_for(request.membership)), "form": form,
        "can_create": request.membership.can("dashboards.manage")}, status=status)


@require_POST
@require_capability("dashboards.manage")
def dashboard_create(request, org_slug):
    form = DashboardCreateForm(request.POST, org=request.org)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    dashboard = services.dashboard_create(by=request.membership, name=form.cleaned_data["name"],
                                          team=form.cleaned_data["team"])
    return redirect("dashboards:dashboard_compose", org_slug=org_slug, dashboard_id=dashboard.pk)


@require_GET
@require_capability("dashboards.view")
def dashboard_detail(request, org_slug, dashboard_id):
    dashboard = selectors.dashboard_for(request.membership, dashboard_id)
    specs = [widget_spec(w) for w in dashboard.widgets.all()]
    return _render_dashboard(request, specs=specs, title=dashboard.name, dashboard=dashboard, team=dashboard.team,
                             period_key=request.GET.get("period", dashboard.period),
                             comparison=request.GET.get("comparison", dashboard.comparison))


@require_capability("dashboards.view")
def dashboard_compose(request, org_slug, dashboard_id):
    """Settings, sharing and widgets of a team dashboard, for a composer or its owner."""
    dashboard = selectors.composable_dashboard(request.membership, dashboard_id)
    visible = kpi_selectors.kpi_catalogue_for(request.org, membership=request.membership)
    initial = {"name": dashboard.name, "team": dashboard.team, "owner": dashboard.owner, "period": dashboard.period,
               "comparison": dashboard.comparison, "roles": dashboard.roles,
               "members": list(dashboard.shared_with_members.all())}
    form = DashboardSettingsForm(request.POST or None, dashboard=dashboard, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.dashboard_update(dashboard=dashboard, name=d["name"], team=d["team"], owner=d["owner"],
                                  period=d["period"], comparison=d["comparison"], roles=d["roles"],
                                  members=list(d["members"]))
        messages.success(request, _("Dashboard saved."))
        return redirect("dashboards:dashboard_compose", org_slug=org_slug, dashboard_id=dashboard.pk)
    return render(request, "dashboards/compose.html", {
        "dashboard": dashboard, "form": form, "widget_form": WidgetForm(kpis=[k for k in visible if k.is_active]),
        "widgets": list(dashboard.widgets.all()), "width_choices": Widget.Width.choices}, status=400 if form.errors else 200)


@require_POST
@require_capability("dashboards.view")
def widget_add(request, org_slug, dashboard_id):
    dashboard = selectors.composable_dashboard(request.membership, dashboard_id)
    visible = [k for k in kpi_selectors.kpi_catalogue_for(request.org, membership=request.membership) if k.is_active]
    form = WidgetForm(request.POST, kpis=visible)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    else:
        d = form.cleaned_data
        try:
            services.widget_add(dashboard=dashboard, kind=d["kind"], kpi=d["kpi"], kpis=list(d["kpis"]),
                                width=d["width"], months=d["months"])
        except ValueError:
            messages.error(request, _("This dashboard has as many widgets as it can hold."))
    return redirect("dashboards:dashboard_compose", org_slug=org_slug, dashboard_id=dashboard.pk)


@require_POST
@require_capability("dashboards.view")
def widget_remove(request, org_slug, dashboard_id, widget_id):
    dashboard = selectors.composable_dashboard(request.membership, dashboard_id)
    services.widget_remove(widget=selectors.widget_of(dashboard, widget_id))
    return redirect("dashboards:dashboard_compose", org_slug=org_slug, dashboard_id=dashboard.pk)


@require_POST
@require_capability("dashboards.view")
def widget_move(request, org_slug, dashboard_id, widget_id):
    dashboard = selectors.composable_dashboard(request.membership, dashboard_id)
    widget = selectors.widget_of(dashboard, widget_id)
    form = WidgetMoveForm(request.POST)
    if form.is_valid():
        services.widget_move(widget=widget, offset=form.cleaned_data["offset"])
    return redirect("dashboards:dashboard_compose", org_slug=org_slug, dashboard_id=dashboard.pk)


@require_POST
@require_capability("dashboards.view")
def widget_resize(request, org_slug, dashboard_id, widget_id):
    dashboard = selectors.composable_dashboard(request.membership, dashboard_id)
    widget = selectors.widget_of(dashboard, widget_id)
    form = WidgetResizeForm(request.POST)
    if form.is_valid():
        services.widget_resize(widget=widget, width=form.cleaned_data["width"])
    return redirect("dashboards:dashboard_compose", org_slug=org_slug, dashboard_id=dashboard.pk)


@require_POST
@require_capability("dashboards.manage")
def dashboard_delete(request, org_slug, dashboard_id):
    dashboard = selectors.composable_dashboard(request.membership, dashboard_id)
    services.dashboard_delete(dashboard=dashboard)
    messages.success(request, _("Dashboard deleted."))
    return redirect("dashboards:dashboard_list", org_slug=org_slug)
