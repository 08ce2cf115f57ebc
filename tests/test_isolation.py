"""Walks every route the project registers: another tenant's objects are a 404, never a 403 or data.

New routes are covered without editing this file; a route nobody classified fails the build.
"""

import pytest
from django.apps import apps

from accounts.capabilities import Role
from accounts.models import OrgOwned
from tests.factories import make_member, make_org
from tests.routes import all_routes, build_url, classify

METHODS = ["get", "post", "put", "patch", "delete"]


def _tenant_rows(org) -> dict[str, int]:
    return {
        model._meta.label: model.objects.filter(organization=org).count()
        for model in apps.get_models()
        if issubclass(model, OrgOwned)
    }


def test_every_route_is_classified(db):
    unclassified = [f"{r.name} ({r.route})" for r in all_routes() if classify(r) == "unclassified"]
    assert unclassified == [], (
        "Classify these routes in tests/<app>/isolation.py (PUBLIC_ROUTES or AUTH_ONLY_ROUTES), "
        "or put them under /o/<org_slug>/: " + ", ".join(unclassified)
    )


def test_every_tenant_route_declares_a_capability(db):
    missing = [
        f"{r.name} ({r.route})"
        for r in all_routes()
        if r.is_tenant and not any(r.capability_for(m) for m in METHODS)
    ]
    assert missing == [], "Tenant routes without @require_capability / capabilities: " + ", ".join(missing)


@pytest.mark.parametrize("role", Role.values)
def test_member_of_one_tenant_gets_404_on_every_route_of_another(client, db, role):
    tenant_a, tenant_b = make_org(), make_org()
    member = make_member(tenant_a, role=role)
    client.force_login(member.user)
    tenant_routes = [r for r in all_routes() if r.is_tenant]
    assert tenant_routes
    urls = [(r, build_url(r, slug_org=tenant_b, objects_org=tenant_b)) for r in tenant_routes]
    before = _tenant_rows(tenant_b)
    for route, path in urls:
        for method in METHODS:
            response = getattr(client, method)(path, content_type="application/json") \
                if method != "get" else client.get(path)
            assert response.status_code == 404, f"{method.upper()} {path} ({route.name}) as {role}"
    assert _tenant_rows(tenant_b) == before


@pytest.mark.parametrize("role", Role.values)
def test_another_tenants_object_ids_under_ones_own_slug_are_404(client, db, role):
    tenant_a, tenant_b = make_org(), make_org()
    member = make_member(tenant_a, role=role)
    client.force_login(member.user)
    routes = [r for r in all_routes() if r.is_tenant and len(r.kwargs) > 1]
    urls = [(r, build_url(r, slug_org=tenant_a, objects_org=tenant_b)) for r in routes]
    before = _tenant_rows(tenant_b)
    for route, path in urls:
        for method in METHODS:
            response = getattr(client, method)(path, content_type="application/json") \
                if method != "get" else client.get(path)
            capability = route.capability_for(method)
            if response.status_code == 403:
                assert capability is None or not member.can(capability), \
                    f"{method.upper()} {path} ({route.name}) as {role}: 403 though the role may; want 404"
            else:
                assert response.status_code in (404, 405), \
                    f"{method.upper()} {path} ({route.name}) as {role} gave {response.status_code}"
    assert _tenant_rows(tenant_b) == before


def test_anonymous_visitors_are_sent_to_login_or_refused(client, db):
    org = make_org()
    for route in all_routes():
        kind = classify(route)
        if kind not in ("tenant", "auth_only"):
            continue
        path = build_url(route, slug_org=org, objects_org=org)
        response = client.get(path)
        if route.is_api:
            assert response.status_code in (401, 403), f"{path} ({route.name})"
        else:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], \
                f"{path} ({route.name}) gave {response.status_code}"


def test_public_routes_answer_anonymous_visitors_without_error(client, db):
    org = make_org()
    for route in all_routes():
        if classify(route) != "public":
            continue
        response = client.get(build_url(route, slug_org=org, objects_org=org))
        assert response.status_code < 500, route.name
