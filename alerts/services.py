"""Writes of the alerts app: evaluating rules into alerts, responding to alerts, installing default rules."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization
from accounts.services import user_email_language_set
from alerts.models import Alert, AlertEvent, AlertPreference, AlertRule
from alerts.rules.base import Context, Finding
from alerts.rules.registry import RULES, rule_class
from kpis.visibility import roles_holding

log = logging.getLogger(__name__)

ALERTS_LOCK = 12  # advisory lock class of one organization's evaluation (kpis uses 4)


@dataclass
class EvaluationReport:
    opened: list[int] = field(default_factory=list)
    updated: int = 0
    resolved: int = 0
    failed_rules: list[int] = field(default_factory=list)


def audience_of(capabilities: frozenset[str]) -> str:
    """The roles that may see a figure needing these capabilities, as the bell filters them (",ceo,cfo,")."""
    roles = sorted(roles_holding(capabilities))
    return "," + ",".join(roles) + "," if roles else ""


def _lock(org: Organization) -> None:
    # One evaluation per organization at a time (released at commit): two evaluations started by a sync and
    # a recompute together see each other's alerts instead of both opening one. The constraint stays the
    # backstop where there is no advisory lock (SQLite).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ALERTS_LOCK, org.pk])


def alerts_evaluate(*, org: Organization, today: date | None = None, now: datetime | None = None,
                    kinds: set[str] | None = None, notify: bool = True) -> EvaluationReport:
    """Evaluate the organization's enabled rules (of `kinds`, or all): open an alert per new finding, refresh the
    live ones, reopen a snooze that ran out, and resolve what is no longer found. Idempotent."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    report = EvaluationReport()
    with transaction.atomic():
        _lock(org)
        ctx = Context(org=org, today=today, now=now)
        rules = AlertRule.objects.for_org(org).filter(is_enabled=True, kind__in=list(kinds or RULES))
        live: dict[tuple[int, str], Alert] = {
            (a.rule_id, a.subject_key): a for a in Alert.objects.for_org(org).filter(status__in=Alert.LIVE)}
        for rule in rules:
            try:
                with transaction.atomic():  # a broken rule rolls back alone and resolves nothing
                    findings = rule_class(rule.kind)(rule.parameters).evaluate(ctx)
            except Exception:  # noqa: BLE001 - one rule's bug must not silence the others
                log.exception("alerts rule %s (%s) of org %s failed", rule.pk, rule.kind, org.slug)
                report.failed_rules.append(rule.pk)
                continue
            found = set()
            for finding in findings:
                found.add(finding.subject_key)
                alert = live.get((rule.pk, finding.subject_key))
                if alert is None:
                    alert = _open(rule, finding, now=now)
                    if alert is not None:
                        report.opened.append(alert.pk)
                else:
                    _refresh(alert, finding, rule=rule, now=now)
                    report.updated += 1
            for (rule_id, subject), alert in live.items():
                if rule_id == rule.pk and subject not in found:
                    _resolve(alert, action=AlertEvent.Action.RESOLVED_AUTO, by=None, comment="", now=now)
                    report.resolved += 1
    if notify and report.opened:
        from alerts.notifications import alerts_notify_immediately

        opened = list(report.opened)
        transaction.on_commit(lambda: alerts_notify_immediately(org=org, alert_ids=opened))
    return report


def _fields(rule: AlertRule, finding: Finding) -> dict:
    return {"severity": finding.severity or rule.severity, "figure": finding.figure,
            "threshold": finding.threshold, "params": finding.params, "link": finding.link[:500],
            "audience": audience_of(finding.capabilities), "kpi_id": finding.kpi_id,
            "objective_id": finding.objective_id}


def _open(rule: AlertRule, finding: Finding, *, now: datetime) -> Alert | None:
    try:
        with transaction.atomic():
            alert = Alert.objects.create(organization=rule.organization, rule=rule, kind=rule.kind,
                                         subject_key=finding.subject_key[:200], opened_at=now, last_seen_at=now,
                                         **_fields(rule, finding))
    except IntegrityError:
        return None  # another evaluation opened it a moment ago: one live alert per rule and subject
    AlertEvent.objects.create(organization=rule.organization, alert=alert, action=AlertEvent.Action.OPENED)
    return alert


def _refresh(alert: Alert, finding: Finding, *, rule: AlertRule, now: datetime) -> None:
    for name, value in _fields(rule, finding).items():
        setattr(alert, name, value)
    alert.last_seen_at = now
    changed = ["severity", "figure", "threshold", "params", "link", "audience", "kpi", "objective", "last_seen_at"]
    if alert.status == Alert.Status.SNOOZED and alert.snoozed_until and alert.snoozed_until <= now:
        alert.status, alert.snoozed_until = Alert.Status.OPEN, None
        changed += ["status", "snoozed_until"]
        AlertEvent.objects.create(organization=alert.organization, alert=alert, action=AlertEvent.Action.REOPENED)
    alert.save(update_fields=changed)


def _resolve(alert: Alert, *, action: str, by: Membership | None, comment: str, now: datetime) -> Alert:
    claimed = Alert.objects.for_org(alert.organization).filter(pk=alert.pk, status__in=Alert.LIVE).update(
        status=Alert.Status.RESOLVED, resolved_at=now, snoozed_until=None)
    if claimed:
        AlertEvent.objects.create(organization=alert.organization, alert=alert, action=action, actor=by,
                                  comment=comment)
    alert.refresh_from_db()
    return alert


# --- responding to an alert ---------------------------------------------------------------------------


def _check_live(alert: Alert) -> None:
    if not alert.is_live:
        raise ValidationError(_("This alert is already resolved."))


@transaction.atomic
def alert_acknowledge(*, alert: Alert, by: Membership, comment: str = "") -> Alert:
    _check_live(alert)
    alert.status, alert.snoozed_until = Alert.Status.ACKNOWLEDGED, None
    alert.save(update_fields=["status", "snoozed_until"])
    AlertEvent.objects.create(organization=alert.organization, alert=alert, action=AlertEvent.Action.ACKNOWLEDGED,
                              actor=by, comment=comment)
    return alert


@transaction.atomic
def alert_comment(*, alert: Alert, by: Membership, comment: str) -> Alert:
    if not comment.strip():
        raise ValidationError(_("Write a comment."))
    AlertEvent.objects.create(organization=alert.organization, alert=alert, action=AlertEvent.Action.COMMENTED,
                              actor=by, comment=comment)
    return alert


@transaction.atomic
def alert_snooze(*, alert: Alert, by: Membership, until: datetime, comment: str = "") -> Alert:
    _check_live(alert)
    if until <= timezone.now():
        raise ValidationError(_("Snooze until a time in the future."))
    alert.status, alert.snoozed_until = Alert.Status.SNOOZED, until
    alert.save(update_fields=["status", "snoozed_until"])
    AlertEvent.objects.create(organization=alert.organization, alert=alert, action=AlertEvent.Action.SNOOZED,
                              actor=by, comment=comment, snoozed_until=until)
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, by: Membership, comment: str) -> Alert:
    """Resolved by hand; if the rule still finds the problem, its next evaluation opens a new alert."""
    _check_live(alert)
    if not comment.strip():
        raise ValidationError(_("Say how it was resolved."))
    return _resolve(alert, action=AlertEvent.Action.RESOLVED, by=by, comment=comment, now=timezone.now())


# --- rules and preferences ----------------------------------------------------------------------------


DEFAULT_RULES: list[tuple[str, dict]] = [
    ("late_payment", {}),
    ("target_band", {}),
    ("forecast_miss", {}),
    ("kpi_threshold", {}),
    ("anomaly", {}),
    ("period_change", {}),
    ("sync_failing", {}),
    ("data_stale", {}),
    ("check_in_overdue", {}),
    ("budget_overrun", {}),
]


def default_rules_install(org: Organization) -> int:
    """The sensible default rules of a company (idempotent: a kind it already has a default of is kept)."""
    if org.is_consultancy:
        return 0
    have = set(AlertRule.objects.for_org(org).filter(is_default=True).values_list("kind", flat=True))
    created = 0
    for kind, parameters in DEFAULT_RULES:
        cls = rule_class(kind)
        if kind in have or not cls.is_available():
            continue
        rule = cls(parameters)
        AlertRule.objects.create(organization=org, kind=kind, name=rule.default_name(), parameters=rule.params,
                                 severity=cls.default_severity, subscriber_roles=list(cls.default_roles),
                                 is_default=True)
        created += 1
    return created


@transaction.atomic
def alert_rule_update(*, rule: AlertRule, by: Membership, is_enabled: bool, severity: str,
                      subscriber_roles: list[str], parameters: dict | None = None) -> AlertRule:
    from accounts.audit import audit_log_record

    cls = rule_class(rule.kind)
    if parameters is not None:
        unknown = set(parameters) - set(cls.defaults)
        if unknown:
            raise ValidationError(_("Unknown parameters: %(names)s.") % {"names": ", ".join(sorted(unknown))})
        rule.parameters = {**cls.defaults, **parameters}
    rule.is_enabled, rule.severity, rule.subscriber_roles = is_enabled, severity, subscriber_roles
    rule.save(update_fields=["is_enabled", "severity", "subscriber_roles", "parameters"])
    audit_log_record(org=rule.organization, actor=by.user, action="alert_rule.updated", target=rule)
    return rule


def alert_preference_set(*, membership: Membership, delivery: str, language: str = "") -> AlertPreference:
    """How the member hears about alerts; `language`, when given, is that of all their e-mails."""
    pref, _created = AlertPreference.objects.update_or_create(
        organization=membership.organization, membership=membership, defaults={"delivery": delivery})
    if language:
        user_email_language_set(user=membership.user, language=language)
    return pref
