"""What alerts does when accounts, integrations or kpis announce something (connected in AlertsConfig.ready)."""

from __future__ import annotations

import logging

from accounts.models import Organization

log = logging.getLogger(__name__)

# Kinds judged from raw records or sync runs; the KPI kinds wait for the recompute those records trigger.
RECORD_KINDS = ["late_payment", "sync_failing", "data_stale"]


def default_rules_for_new_company(sender, *, org: Organization, **kwargs) -> None:
    """A new company gets the default rules with its catalogue, in the creating transaction."""
    from accounts.rls import org_context
    from alerts.services import default_rules_install

    with org_context(org):  # the rules are the new tenant's rows
        default_rules_install(org)


def _enqueue(org: Organization, kinds: list[str] | None) -> None:
    from kombu.exceptions import OperationalError

    from alerts.tasks import alerts_evaluate_task

    try:
        alerts_evaluate_task.delay(org.pk, kinds)
    except OperationalError as exc:  # the broker is down: the hourly pass catches up, the caller goes on
        log.warning("alerts evaluation of org %s not queued: %s", org.pk, exc)


def evaluate_after_records_changed(sender, *, org: Organization, **kwargs) -> None:
    _enqueue(org, RECORD_KINDS)


def evaluate_after_sync(sender, *, org: Organization, **kwargs) -> None:
    _enqueue(org, RECORD_KINDS)


def evaluate_after_recompute(sender, *, org: Organization, **kwargs) -> None:
    _enqueue(org, None)
