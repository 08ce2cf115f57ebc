"""Reads of the alerts app. Who sees an alert follows the data behind it: `Alert.audience` (set from
`kpis.selectors.kpi_visibility_for` and the capability table when the rule evaluated) names the roles."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.utils.translation import gettext

from accounts.models import Membership, Organization
from alerts.models import Alert, AlertEvent, AlertPreference
from alerts.rules.registry import RULES, rule_class
from config.kept_sql import kept_query


def alert_message(alert: Alert) -> str:
    """The alert's sentence in the active language (rendered from its params, never stored as text)."""
    if alert.kind not in RULES:
        return alert.subject_key
    params = alert.params
    if params.get("kpi"):  # a built-in KPI's name was stored in English: its msgid, read in the reader's language
        params = {**params, "kpi": gettext(params["kpi"])}
    try:
        return rule_class(alert.kind)({}).message(params)
    except (KeyError, TypeError, ValueError):  # params written by an older version of the rule
        return str(rule_class(alert.kind).label)


def visible_alerts(org: Organization, *, membership: Membership) -> QuerySet[Alert]:
    """The organization's alerts this member may see."""
    return Alert.objects.for_org(org).filter(audience__contains=f",{membership.role},")


def alert_list_for(org: Organization, *, membership: Membership, status: str = "", severity: str = "",
                   kind: str = "", limit: int = 200) -> list[Alert]:
    """The list page: live alerts first unless a status is chosen; 1 query."""
    alerts = visible_alerts(org, membership=membership).select_related("rule")
    alerts = alerts.filter(status=status) if status else alerts.filter(status__in=Alert.LIVE)
    if severity:
        alerts = alerts.filter(severity=severity)
    if kind:
        alerts = alerts.filter(kind=kind)
    return list(alerts.order_by("-opened_at", "-id")[:limit])


def unread_count(org: Organization, *, membership: Membership) -> int:
    """The bell: open alerts nobody has acknowledged or snoozed yet that the member may see; 1 query."""
    return visible_alerts(org, membership=membership).filter(status=Alert.Status.OPEN).count()


def alert_history(org: Organization, *, alert: Alert) -> list[AlertEvent]:
    return list(AlertEvent.objects.for_org(org).filter(alert=alert).select_related("actor__user"))


def preference_of(membership: Membership) -> AlertPreference:
    """The member's e-mail choice (unsaved defaults when they never chose)."""
    pref = AlertPreference.objects.for_org(membership.organization).filter(membership=membership).first()
    return pref or AlertPreference(organization=membership.organization, membership=membership)


def open_alert_counts_by_target(org: Organization) -> tuple[dict[int, int], dict[int, int]]:
    """({kpi id: live alerts}, {objective id: live alerts}) for the objectives' risk score; 1 query."""
    by_kpi: dict[int, int] = {}
    by_objective: dict[int, int] = {}
    rows = kept_query(("alerts.open_counts", org.pk), lambda: Alert.objects.for_org(org).filter(
        status__in=[Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED]).values_list("kpi_id", "objective_id").annotate(
        n=Count("id")))
    for kpi_id, objective_id, n in rows:
        if kpi_id is not None:
            by_kpi[kpi_id] = by_kpi.get(kpi_id, 0) + n
        if objective_id is not None:
            by_objective[objective_id] = by_objective.get(objective_id, 0) + n
    return by_kpi, by_objective


# --- across organizations (the consultant's portfolio and inbox) --------------------------------------


def live_alerts_across(roles_by_org: dict[int, str]) -> list[Alert]:
    """The live alerts each role may see in each of these organizations ({organization id: the reader's role
    there}), newest first; 1 query. For pages that read several clients at once: call it inside
    `accounts.rls.clients_read_context` (the portfolio), which PostgreSQL narrows to the same clients."""
    if not roles_by_org:
        return []
    ids = tuple(roles_by_org)
    alerts = kept_query(("alerts.live_across", ids), lambda: Alert.objects.filter(  # scoped: the organizations the
        organization_id__in=ids, status__in=Alert.LIVE)  # caller serves (clients_read_context)
        .only("id", "organization_id", "kind", "params", "subject_key", "severity", "status", "audience", "opened_at")
        .order_by("-opened_at", "-id"))
    return [a for a in alerts if f",{roles_by_org[a.organization_id]}," in a.audience]
