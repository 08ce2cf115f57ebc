"""Reads of the reports app: a recipient's digest (only what their role may see), schedules, the archive."""

from __future__ import annotations

import base64
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.capabilities import role_within
from accounts.models import Membership, Organization
from accounts.services import email_language_of
from kpis import selectors as kpi_selectors
from kpis.models import Kpi, KpiAnnotation
from kpis.periods import add_months, period_containing
from kpis.presenters.common import Delta, delta, format_kpi_value, kpi_name, month_label, monthly_table
from kpis.presenters.common import status_label as kpi_status_label
from reports import charts
from reports.branding import BrandView, brand_view
from reports.kinds import digest_kind
from reports.kinds.team import KEY as TEAM
from reports.kinds.team import team_dashboard_kind
from reports.models import Branding, ReportSchedule, SentReport
from reports.schedule import ReportPeriod


@dataclass
class Figure:
    kpi: Kpi
    name: str
    value: Decimal | None
    value_text: str
    target_text: str
    status: str
    status_label: str
    vs_previous: Delta | None
    vs_last_year: Delta | None
    notes: list[str] = field(default_factory=list)


@dataclass
class Chart:
    title: str
    svg: str
    summary: str  # the chart in words (screen readers, and a reader whose client drops images)

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


@dataclass
class Digest:
    org: Organization
    kind: str
    title: str
    period: ReportPeriod
    month_label: str  # the month the figures cover
    is_month_to_date: bool  # a weekly digest reads the running month so far
    previous_label: str
    last_year_label: str
    figures: list[Figure]
    charts: list[Chart]
    brand: BrandView
    hidden_count: int = 0  # the kind's figures the recipient's role may not see (said, not shown)


def branding_of(org: Organization) -> Branding | None:
    return Branding.objects.for_org(org).first()


def brand_for(org: Organization, *, schedule: ReportSchedule | None = None) -> BrandView:
    """A consultancy's schedule carries the consultancy's branding; a client's own carries the client's.

    The consultancy's branding row is read in its own tenant context (row-level security)."""
    if schedule is not None and schedule.consultancy_id:
        from accounts.rls import org_context

        firm = schedule.consultancy
        with org_context(firm):
            return brand_view(firm, branding_of(firm))
    return brand_view(org, branding_of(org))


def digest_for(recipient: Membership, *, kind: str, period: ReportPeriod, brand: BrandView,
               with_charts: bool = True, dashboard=None) -> Digest:
    """The figures of `kind` (a role's pack, or the team `dashboard`'s tiles and trends) for the period, cut to
    what the recipient's role may see; a fixed number of queries (KPIs, visibility, values and targets over 13
    months, notes) whatever the history."""
    org = recipient.organization
    spec = team_dashboard_kind(dashboard) if kind == TEAM else digest_kind(kind)
    # A monthly digest covers its month; a weekly one the month its week ends in, to date.
    month = period_containing(period.end, "month", org.fiscal_year_start_month)
    visibility = kpi_selectors.kpi_visibility_for(org)
    by_slug = {k.slug: k for k in Kpi.objects.for_org(org).filter(slug__in=spec.kpis, is_active=True)}
    allowed = [by_slug[s] for s in spec.kpis if s in by_slug and visibility.allows(recipient, s)]
    hidden = sum(1 for s in spec.kpis if s in by_slug and not visibility.allows(recipient, s))
    drawn_months = settings.REPORTS_HISTORY_MONTHS
    # The drawn months and the year before them (the "last year" line), up to the report's month.
    months = [period_containing(add_months(month.start, -i), "month", org.fiscal_year_start_month)
              for i in range(drawn_months + 11, -1, -1)]
    table = monthly_table(org, kpis=allowed, months=months)
    notes = defaultdict(list)
    for note in KpiAnnotation.objects.for_org(org).filter(
            kpi__in=allowed, grain="month", period_start=month.start).order_by("created_at"):
        notes[note.kpi_id].append(note.text)
    previous, last_year = month.previous(), month.same_period_last_year()
    figures = []
    for kpi in allowed:
        value, _reason, target, status = table.point(kpi, month)
        if value is None:
            continue
        prev_value = table.point(kpi, previous)[0]
        ly_value = table.point(kpi, last_year)[0]
        figures.append(Figure(
            kpi=kpi, name=kpi_name(kpi), value=value, value_text=format_kpi_value(value, kpi.unit),
            target_text=format_kpi_value(target, kpi.unit) if target is not None else "",
            status=status, status_label=kpi_status_label(status) if target is not None else "",
            vs_previous=delta(kpi, value, prev_value), vs_last_year=delta(kpi, value, ly_value),
            notes=notes.get(kpi.pk, [])))
        if len(figures) >= spec.max_figures:
            break
    drawn = []
    if with_charts:
        shown = {f.kpi.slug for f in figures}
        for slug in spec.charts:
            if slug in shown:
                drawn.append(_chart(by_slug[slug], table, months[-drawn_months:], brand))
    return Digest(org=org, kind=kind, title=str(spec.title), period=period, month_label=month_label(month),
                  is_month_to_date=period.frequency == "weekly", previous_label=month_label(previous),
                  last_year_label=month_label(last_year), figures=figures, charts=drawn, brand=brand,
                  hidden_count=hidden)


def _chart(kpi: Kpi, table, months, brand: BrandView) -> Chart:
    labels = [month_label(m, short=True) for m in months]
    values = [table.point(kpi, m)[0] for m in months]
    targets = [table.point(kpi, m)[2] for m in months]
    last_year = [table.point(kpi, m.same_period_last_year())[0] if m.same_period_last_year() in table.months
                 else None for m in months]
    svg = charts.trend_svg(labels=labels, values=values, targets=targets, last_year=last_year,
                           formatter=lambda v: format_kpi_value(v, kpi.unit), colour=brand.primary,
                           accent=brand.accent, legend=(kpi_name(kpi), _("Target"), _("Last year")))
    known = [(v, m) for v, m in zip(values, months, strict=True) if v is not None]
    if known:
        low, high = min(known, key=lambda p: p[0]), max(known, key=lambda p: p[0])
        summary = _("%(kpi)s over 12 months: lowest %(low)s in %(low_month)s, highest %(high)s in "
                    "%(high_month)s.") % {"kpi": kpi_name(kpi), "low": format_kpi_value(low[0], kpi.unit),
                                          "low_month": month_label(low[1]),
                                          "high": format_kpi_value(high[0], kpi.unit),
                                          "high_month": month_label(high[1])}
    else:
        summary = _("%(kpi)s: no value in the last 12 months.") % {"kpi": kpi_name(kpi)}
    return Chart(title=kpi_name(kpi), svg=svg, summary=summary)


# --- schedules and recipients --------------------------------------------------------------------


def schedules_of(org: Organization) -> QuerySet[ReportSchedule]:
    return ReportSchedule.objects.for_org(org).prefetch_related("members__user").select_related(
        "consultancy", "dashboard")


def recipients_of(schedule: ReportSchedule) -> list[Membership]:
    """The members named, and every member holding one of the roles named; for a team dashboard, those it is
    shared with (members, roles) and its owner. Each once, by e-mail; never one who unsubscribed."""
    org_members = Membership.objects.for_org(schedule.organization).select_related("user", "organization")
    if schedule.kind == TEAM:
        dashboard = schedule.dashboard
        if dashboard is None:
            return []
        chosen = org_members.filter(Q(pk__in=dashboard.shared_with_members.values("pk"))
                                    | Q(role__in=dashboard.roles) | Q(pk=dashboard.owner_id or 0))
    else:
        chosen = org_members.filter(Q(pk__in=schedule.members.values("pk")) | Q(role__in=schedule.roles or []))
    chosen = chosen.exclude(pk__in=schedule.unsubscribed or [])
    return sorted({m.user.email: m for m in chosen if m.user.is_active}.values(), key=lambda m: m.user.email)


def language_of(member: Membership) -> str:
    return email_language_of(member.user)


# --- the archive ---------------------------------------------------------------------------------


def sent_reports_visible_to(member: Membership) -> QuerySet[SentReport]:
    """One's own reports; with `reports.manage`, also those cut for a role within one's own (a manager
    never reads figures their own role may not see)."""
    org = member.organization
    mine = Q(recipient=member)
    if member.can("reports.manage"):
        roles = [r for r, _label in Membership._meta.get_field("role").choices if role_within(r, member.role)]
        mine |= Q(recipient_role__in=roles)
    return SentReport.objects.for_org(org).filter(mine).select_related("schedule")


def firm_clients(firm: Organization) -> list[Organization]:
    """The companies a consultancy is engaged on (its portfolio), by name."""
    from accounts.models import Engagement

    ids = Engagement.objects.filter(consultancy=firm).values_list("organization_id", flat=True)  # scoped: the firm's own engagements (RLS: consultancy_id)
    return list(Organization.objects.filter(pk__in=list(ids)).order_by("name"))


def review_pack_of(review) -> dict:
    """What the review pack shows: the snapshot as frozen, decisions, follow-ups and participants; 3 queries."""
    return {
        "review": review,
        "participants": list(review.participants.select_related("user")),
        "follow_ups": list(review.follow_ups.select_related("owner__user", "objective")),
        "snapshot": review.snapshot or [],
        "decisions": review.decision_lines,
    }
