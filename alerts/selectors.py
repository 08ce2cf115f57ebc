"""Reads of the alerts app. Who sees an alert follows the data behind it: `Alert.audience` (set from
`kpis.selectors.kpi_visibility_for` and the capability table when the rule evaluated) names the roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, QuerySet

from accounts.models import Membership, Organization, User
from accounts.rls import applies, org_context
from alerts.models import Alert, AlertEvent, AlertPreference
from alerts.rules.registry import RULES, rule_class


def alert_message(alert: Alert) -> str:
    """The alert's sentence in the active language (rendered from its params, never stored as text)."""
    if alert.kind not in RULES:
        return alert.subject_key
    try:
        return rule_class(alert.kind)({}).message(alert.params)
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
    rows = (Alert.objects.for_org(org).filter(status__in=[Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED])
            .values_list("kpi_id", "objective_id").annotate(n=Count("id")))
    for kpi_id, objective_id, n in rows:
        if kpi_id is not None:
            by_kpi[kpi_id] = by_kpi.get(kpi_id, 0) + n
        if objective_id is not None:
            by_objective[objective_id] = by_objective.get(objective_id, 0) + n
    return by_kpi, by_objective


# --- across organizations (the consultant's portfolio and inbox) --------------------------------------


def open_alert_counts(organization_ids: Iterable[int]) -> dict[int, int]:
    """{organization id: open alerts} across these organizations, each read in its own tenant context.

    The caller decides which organizations the person may see (the portfolio's engaged clients); every
    organization named gets a count, 0 included. One query per organization under row-level security, one
    in all on SQLite.
    """
    ids = sorted(set(organization_ids))
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    if not applies():
        rows = (Alert.objects.filter(organization_id__in=ids, status=Alert.Status.OPEN)  # scoped: ids the caller may see
                .values_list("organization_id").annotate(n=Count("id")))
        counts.update(dict(rows))
        return counts
    for org_id in ids:
        with org_context(org_id):
            counts[org_id] = Alert.objects.filter(organization_id=org_id, status=Alert.Status.OPEN).count()
    return counts


def open_alerts_for_member(membership_or_user: Membership | User,
                           organizations: Iterable[Organization]) -> list[Alert]:
    """The live alerts a person may see in each of these organizations (their role there decides), newest
    first: the consultant's inbox. A user with no membership in an organization sees nothing of it."""
    user = membership_or_user.user if isinstance(membership_or_user, Membership) else membership_or_user
    out: list[Alert] = []
    for org in organizations:
        with org_context(org):
            membership = Membership.objects.for_org(org).filter(user=user).first()
            if membership is None:
                continue
            out += list(visible_alerts(org, membership=membership).filter(status__in=Alert.LIVE)
                        .select_related("rule", "organization"))
    out.sort(key=lambda a: (a.opened_at, a.pk), reverse=True)
    return out
