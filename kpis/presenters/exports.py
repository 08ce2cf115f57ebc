"""The KPI tables as files (`?export=csv|xlsx`, accounts/exports.py): built from the rows the page shows, so a
download holds exactly what the reader may see there (hidden KPIs are not in the catalogue's rows)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kpis.models import Kpi
from kpis.presenters.catalogue import Catalogue
from kpis.presenters.common import kpi_name


def catalogue_table(data: Catalogue) -> tuple[list[str], list[list]]:
    header = [_("KPI"), _("Code"), _("Category"), _("Unit"), _("Formula"), _("Month"), _("Value"), _("Target"),
              _("Status"), _("Change on the month before")]
    rows = []
    for group_label, kpi_rows in [(g.label, g.rows) for g in data.groups] + [(_("Waiting for data"), data.waiting)]:
        for r in kpi_rows:
            rows.append([r.name, r.kpi.slug, group_label, r.kpi.get_unit_display(), r.kpi.formula,
                         data.month.start, r.value, r.target, r.feed or r.status_label,
                         r.delta.text if r.delta else ""])
    return header, rows


def values_table(kpi: Kpi, rows) -> tuple[list[str], list[list]]:
    """The values table of a KPI page (by month, fiscal quarter or year), newest first."""
    header = [_("KPI"), _("Period"), _("Start"), _("End"), _("Value"), _("Target"), _("Status"),
              _("Previous period"), _("Same period last year"), _("To date")]
    name = kpi_name(kpi)
    return header, [[name, r.label, r.period.start, r.period.end, r.value, r.target, r.status_label, r.previous,
                     r.last_year, r.is_to_date] for r in rows]
