"""Walks the capability table: each role reaches exactly the routes its capabilities allow."""

import pytest

from accounts.capabilities import Role, role_can
from tests.factories import make_member, make_org
from tests.routes import all_routes, build_url

METHODS = ["get", "post", "put", "patch", "delete"]


@pytest.mark.parametrize("role", Role.values)
def test_each_role_is_allowed_or_denied_exactly_as_the_capability_table_says(client, db, role):
    org = make_org()
    make_member(org, role=Role.CEO)  # keeps a CEO so that removals by others stay legal
    member = make_member(org, role=role)
    client.force_login(member.user)
    checked = 0
    for route in (r for r in all_routes() if r.is_tenant):
        # A plain view declares one capability for all methods: GET and POST say all there is to say.
        for method in METHODS if route.drf_viewset else ["get", "post"]:
            capability = route.capability_for(method)
            if capability is None:
                continue
            path = build_url(route, slug_org=org, objects_org=org)
            response = getattr(client, method)(path, content_type="application/json") \
                if method != "get" else client.get(path)
            allowed = role_can(role, capability)
            label = f"{method.upper()} {route.name} needs {capability}; {role}"
            if allowed:
                assert response.status_code not in (403, 500), f"{label} may, got {response.status_code}"
            else:
                assert response.status_code in (403, 405), f"{label} may not, got {response.status_code}"
            checked += 1
    assert checked > 0
