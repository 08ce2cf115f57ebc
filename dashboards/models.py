"""Team dashboards people compose from widgets, and with whom they are shared.

Role dashboards are not stored: each role's default is a layout in `dashboards/defaults.py`, drawn
from the role's KPI pack in the catalogue. A widget stores what to show, never a figure: figures are
read from the materialised KPI values at render time.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgOwned


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    FISCAL_YEAR = "year", _("Fiscal year")
    TRAILING_12 = "trailing_12", _("Trailing 12 months")


class Comparison(models.TextChoices):
    PREVIOUS = "previous", _("Previous period")
    LAST_YEAR = "last_year", _("Same period last year")


class Dashboard(OrgOwned):
    """A team's dashboard (Logistics, Sales, Marketing…): composed by a CEO, an Admin or its owner."""

    name = models.CharField(_("name"), max_length=120)
    team = models.CharField(_("team"), max_length=80, blank=True,
                            help_text=_("Action plans of this team show on the dashboard."))
    owner = models.ForeignKey("accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_dashboards", verbose_name=_("owner"))
    period = models.CharField(_("period"), max_length=20, choices=Period.choices, default=Period.MONTH)
    comparison = models.CharField(_("compared with"), max_length=20, choices=Comparison.choices,
                                  default=Comparison.PREVIOUS)
    # ",coo,viewer,": framed by commas so that one `contains` finds a role on every database.
    shared_with_roles = models.CharField(_("shared with roles"), max_length=200, blank=True, default="")
    shared_with_members = models.ManyToManyField("accounts.Membership", blank=True, related_name="shared_dashboards",
                                                 verbose_name=_("shared with members"))
    created_by = models.ForeignKey("accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="dashboard_org_name_uniq")]

    def __str__(self) -> str:
        return self.name

    @property
    def roles(self) -> list[str]:
        return [r for r in self.shared_with_roles.split(",") if r]


class Widget(OrgOwned):
    class Kind(models.TextChoices):
        KPI_TILE = "kpi_tile", _("KPI tile")
        TREND = "trend", _("Trend")
        BREAKDOWN = "breakdown", _("Breakdown by dimension")
        HEATMAP = "heatmap", _("Heatmap KPI × month")
        AGEING = "ageing", _("Receivables ageing")
        OBJECTIVES = "objectives", _("Objectives mini-tree")
        ACTION_PLANS = "action_plans", _("Action plans due")
        FRESHNESS = "freshness", _("Data freshness")

    class Width(models.IntegerChoices):
        QUARTER = 1, _("Quarter width")
        HALF = 2, _("Half width")
        THREE_QUARTERS = 3, _("Three quarters")
        FULL = 4, _("Full width")

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="widgets")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Tiles, trends and breakdowns show one KPI; a heatmap shows several, by slug (a list on the row rather
    # than a link table: one query less per page, and no tenant-less table to guard).
    kpi = models.ForeignKey("kpis.Kpi", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                            verbose_name=_("KPI"))
    kpi_slugs = models.JSONField(_("KPIs"), default=list, blank=True)
    width = models.PositiveSmallIntegerField(_("width"), choices=Width.choices, default=Width.QUARTER)
    months = models.PositiveSmallIntegerField(_("months shown"), default=12)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["organization", "dashboard", "position"], name="widget_org_dash_pos_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.dashboard}"
