"""What the route walkers know: how each route is classified, and how to make the object a URL names.

Every app keeps its own entries in `tests/<app>/isolation.py`:

    PUBLIC_ROUTES = {"url_name", ...}           # anyone, logged in or not
    AUTH_ONLY_ROUTES = {"url_name", ...}        # any logged-in user, outside an organization
    URL_KWARG_FACTORIES = {"objective_id": lambda org: make_objective(org).pk, ...}

A route with `org_slug` in its pattern is tenant-scoped automatically. A route that is none of
these, or a URL keyword nobody knows how to fill, fails the walker instead of being skipped.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Organization

APPS = ["accounts", "integrations", "imports", "kpis", "objectives", "dashboards"]


def _collect(attr: str) -> dict | set:
    merged: dict | set | None = None
    for app in APPS:
        try:
            module = importlib.import_module(f"tests.{app}.isolation")
        except ModuleNotFoundError:
            continue
        value = getattr(module, attr, None)
        if value is None:
            continue
        if merged is None:
            merged = type(value)()
        merged.update(value)
    return merged if merged is not None else set()


def public_routes() -> set[str]:
    return set(_collect("PUBLIC_ROUTES"))


def auth_only_routes() -> set[str]:
    return set(_collect("AUTH_ONLY_ROUTES"))


def url_kwarg_factories() -> dict[str, Callable[[Organization], object]]:
    return dict(_collect("URL_KWARG_FACTORIES") or {})


def walk_routes():
    """Yield (url name, route string, keyword names, view callable) for every registered route."""

    def _walk(resolver, prefix="", namespace="", kwargs=()):
        for p in resolver.url_patterns:
            names = (*kwargs, *p.pattern.regex.groupindex)
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                yield from _walk(p, prefix + str(p.pattern), ns, names)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                name = f"{namespace}:{p.name}" if namespace and p.name else p.name
                yield name, route, list(dict.fromkeys(names)), p.callback

    yield from _walk(get_resolver())
