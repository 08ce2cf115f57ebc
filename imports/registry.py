"""The import kinds: a plain dict of dotted paths imported on first use, as integrations' PROVIDERS."""

from __future__ import annotations

from functools import cache
from importlib import import_module

from imports.base import ImportKind

KINDS = {
    "orders": "imports.kinds.orders.OrderKind",
    "returns": "imports.kinds.returns.ReturnKind",
    "marketing_spend": "imports.kinds.marketing_spend.MarketingSpendKind",
    "operational_series": "imports.kinds.operational_series.OperationalSeriesKind",
    "subscriptions": "imports.kinds.subscriptions.SubscriptionKind",
    "budget": "imports.kinds.budget.BudgetKind",
    "feedback": "imports.kinds.feedback.FeedbackKind",
    "production": "imports.kinds.production.ProductionKind",
}


@cache
def kind_class(key: str) -> type[ImportKind]:
    if key not in KINDS:
        raise KeyError(key)
    module, _, name = KINDS[key].rpartition(".")
    return getattr(import_module(module), name)


def all_kinds(membership=None) -> list[type[ImportKind]]:
    """Every kind, or those the member may import."""
    kinds = [kind_class(key) for key in KINDS]
    return [k for k in kinds if membership is None or membership.can(k.capability)]
