"""QUALITY.md test 4, the app-bypass walk: with the ORM scoping switched off (`for_org` scopes nothing),
as the app role, another tenant's object ids under one's own slug are still 404 (or 403 / 405) on every
tenant route, and the other tenant's rows are unchanged. Row-level security alone holds."""

import pytest
from django.apps import apps

from accounts.capabilities import Role
from accounts.models import OrgOwned, OrgQuerySet
from tests.factories import make_member, make_org
from tests.routes import all_routes, build_url

pytestmark = pytest.mark.services
METHODS = ["get", "post", "put", "patch", "delete"]


def _tenant_rows(org) -> dict[str, int]:
    return {m._meta.label: m.objects.filter(organization=org).count()
            for m in apps.get_models() if issubclass(m, OrgOwned)}


@pytest.mark.parametrize("role", [Role.CEO, Role.ADMIN])
def test_without_orm_scoping_another_tenants_ids_are_still_404(client, role, as_app_role, monkeypatch):
    tenant_a, tenant_b = make_org(), make_org()
    member = make_member(tenant_a, role=role)
    client.force_login(member.user)
    routes = [r for r in all_routes() if r.is_tenant and len(r.kwargs) > 1]
    assert routes
    urls = [(r, build_url(r, slug_org=tenant_a, objects_org=tenant_b)) for r in routes]  # made as the owner
    before = _tenant_rows(tenant_b)
    monkeypatch.setattr(OrgQuerySet, "for_org", lambda self, org: self)
    with as_app_role():
        for route, path in urls:
            for method in METHODS:
                response = getattr(client, method)(path, content_type="application/json") \
                    if method != "get" else client.get(path)
                assert response.status_code in (403, 404, 405), \
                    f"{method.upper()} {path} ({route.name}) as {role} gave {response.status_code}"
    monkeypatch.undo()
    assert _tenant_rows(tenant_b) == before
