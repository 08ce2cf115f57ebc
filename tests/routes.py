"""Shared machinery of the two route walkers (isolation and roles)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from accounts.models import Organization
from tests import isolation_registry as registry

# Routes served by libraries with their own protection: Django's admin (staff only) and
# allauth's account pages (they act on the signed-in user only, never on a tenant).
FRAMEWORK_PREFIXES = ("admin/", "accounts/", "static/", "__debug__/")


@dataclass
class Route:
    name: str
    route: str
    kwargs: list[str]
    callback: object

    @property
    def is_tenant(self) -> bool:
        return "org_slug" in self.kwargs

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def drf_viewset(self):
        return getattr(self.callback, "cls", None) if hasattr(self.callback, "actions") else None

    def capability_for(self, method: str) -> str | None:
        """The capability the route declares for this HTTP method (None: the method is not served)."""
        viewset = self.drf_viewset
        if viewset is not None:
            action = self.callback.actions.get(method.lower())
            if action is None:
                return None
            return viewset.capabilities.get(action, viewset.capabilities.get("*"))
        return getattr(self.callback, "required_capability", None)

    def model_label(self) -> str | None:
        viewset = self.drf_viewset
        if viewset is not None and getattr(viewset, "queryset", None) is not None:
            return viewset.queryset.model._meta.label_lower
        return None


def all_routes() -> list[Route]:
    return [
        Route(name, route, kwargs, callback)
        for name, route, kwargs, callback in registry.walk_routes()
        if not route.startswith(FRAMEWORK_PREFIXES)
    ]


def classify(route: Route) -> str:
    if route.is_tenant:
        return "tenant"
    if route.name in registry.public_routes():
        return "public"
    if route.name in registry.auth_only_routes():
        return "auth_only"
    return "unclassified"


def build_url(route: Route, *, slug_org: Organization, objects_org: Organization) -> str:
    """The route's URL with `slug_org`'s slug and fresh objects made in `objects_org`."""
    factories = registry.url_kwarg_factories()
    kwargs = {}
    for kw in route.kwargs:
        if kw == "org_slug":
            kwargs[kw] = slug_org.slug
            continue
        key = kw
        if kw not in factories and route.model_label():
            key = f"{kw}@{route.model_label()}"
        if key not in factories:
            raise LookupError(
                f"Route {route.name!r} ({route.route}) takes `{kw}`, and no test knows how to make one: "
                f"add {key!r} to URL_KWARG_FACTORIES in tests/<app>/isolation.py"
            )
        kwargs[kw] = factories[key](objects_org)
    return reverse(route.name, kwargs=kwargs)
