"""The portfolio's one door to alerts: open alerts per client company.

Alerts are another app's (issue #11 "alerts"); until it is merged, no client has an open alert. At the merge,
point `open_alert_counts` at `alerts.selectors.open_alert_counts` and add its inbox source
(portfolio/inbox/registry.py).
"""

from __future__ import annotations

from collections.abc import Iterable


def open_alert_counts(organization_ids: Iterable[int]) -> dict[int, int]:
    """{organization id: open alerts}; a client missing from the answer has none."""
    return {}
