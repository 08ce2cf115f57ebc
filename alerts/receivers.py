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


# A sync announces each page it writes: one evaluation per burst, this many seconds after its first change.
DEBOUNCE_SECONDS = 30


def _enqueue(org: Organization, kinds: list[str] | None, *, debounce: bool = False) -> None:
    from django.core.cache import cache
    from kombu.exceptions import OperationalError

    from alerts.tasks import alerts_evaluate_task

    countdown = None
    if debounce:
        try:
            if not cache.add(f"alerts:evaluate:{org.pk}:{','.join(kinds or [])}", "1", timeout=DEBOUNCE_SECONDS):
                return  # an evaluation of this burst is already scheduled
            countdown = DEBOUNCE_SECONDS
        except Exception as exc:  # noqa: BLE001 - Redis down: evaluate now rather than not at all
            log.warning("alerts debounce unavailable (%s): evaluating at once", exc.__class__.__name__)
    try:
        alerts_evaluate_task.apply_async(args=[org.pk, kinds], countdown=countdown)
    except OperationalError as exc:  # the broker is down: the hourly pass catches up, the caller goes on
        log.warning("alerts evaluation of org %s not queued: %s", org.pk, exc)


def evaluate_after_records_changed(sender, *, org: Organization, **kwargs) -> None:
    _enqueue(org, RECORD_KINDS, debounce=True)


def evaluate_after_sync(sender, *, org: Organization, **kwargs) -> None:
    _enqueue(org, RECORD_KINDS, debounce=True)


def evaluate_after_recompute(sender, *, org: Organization, **kwargs) -> None:
    _enqueue(org, None)
