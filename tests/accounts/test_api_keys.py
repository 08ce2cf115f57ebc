"""API keys: created by a CEO or Admin, shown once, hashed at rest, scoped to one organization, revocable."""

import pytest

from accounts.api_keys import api_key_create
from accounts.capabilities import Role
from accounts.models import ApiKey, AuditEvent
from tests.conftest import url
from tests.factories import make_member


@pytest.fixture
def acme_admin(acme):
    return make_member(acme, role=Role.ADMIN)


def _key(member, **overrides):
    options = {"name": "Power BI", "role": Role.VIEWER, "can_write": False, **overrides}
    return api_key_create(org=member.organization, by=member, **options)


def test_a_key_is_shown_once_and_only_its_hash_is_stored(client, acme_ceo):
    client.force_login(acme_ceo.user)
    response = client.post(url("accounts:api_key_list", org_slug="acme"), {"name": "Power BI", "role": "viewer"})
    secret = response.context["secret"]
    assert secret and secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    key = ApiKey.objects.for_org(response.context["org"]).get()
    assert secret not in (key.hashed_key, key.id) and key.hashed_key.startswith("sha512$$")
    assert secret not in client.get(url("accounts:api_key_list", org_slug="acme")).content.decode()
    assert AuditEvent.objects.for_org(key.organization).filter(action="api_key.created").exists()


def test_requests_with_a_key_reach_its_organization_only(client, acme_ceo, globex):
    _key_row, secret = _key(acme_ceo)
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {secret}"}
    assert client.get("/api/v1/orgs/acme/kpis/", **auth).status_code == 200
    assert client.get("/api/v1/orgs/globex/kpis/", **auth).status_code == 404
    assert client.get("/api/v1/orgs/acme/kpis/", HTTP_AUTHORIZATION="Api-Key nope.nope").status_code == 401


def test_a_revoked_key_is_refused(client, acme_ceo):
    key, secret = _key(acme_ceo)
    client.force_login(acme_ceo.user)
    client.post(url("accounts:api_key_revoke", org_slug="acme", api_key_prefix=key.prefix))
    client.logout()
    assert client.get("/api/v1/orgs/acme/kpis/", HTTP_AUTHORIZATION=f"Api-Key {secret}").status_code == 401


def test_a_read_key_cannot_push_and_a_write_key_can(client, acme_ceo):
    _read, read_secret = _key(acme_ceo)
    _write, write_secret = _key(acme_ceo, name="ERP", can_write=True)
    body = [{"date": "2026-03-01", "channel": "google_ads", "amount": "120.50"}]
    path = "/api/v1/orgs/acme/records/marketing_spend/"
    refused = client.post(path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {read_secret}")
    assert refused.status_code == 403
    accepted = client.post(path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {write_secret}")
    assert accepted.status_code == 200, accepted.content


def test_a_key_reads_no_more_than_its_role_and_never_more_than_its_creator(acme_ceo, acme):
    from django.core.exceptions import ValidationError

    from accounts.api_keys import ApiKeyPrincipal

    viewer_key, _ = _key(acme_ceo)
    assert not ApiKeyPrincipal(viewer_key).can("kpis.view_costs")
    assert not ApiKeyPrincipal(viewer_key).can("members.manage")
    cfo_key, _ = _key(acme_ceo, role=Role.CFO)
    assert ApiKeyPrincipal(cfo_key).can("kpis.view_costs")
    admin = make_member(acme, role=Role.ADMIN)
    with pytest.raises(ValidationError):
        _key(admin, role=Role.CFO)  # an Admin does not see costs, nor may a key they create


def test_only_ceo_and_admin_manage_keys(client, alice, acme_admin):
    client.force_login(alice.user)
    assert client.get(url("accounts:api_key_list", org_slug="acme")).status_code == 403
    client.force_login(acme_admin.user)
    assert client.get(url("accounts:api_key_list", org_slug="acme")).status_code == 200


def test_a_key_reads_the_operational_costs_its_role_reads(acme_ceo, acme):
    """A COO's key feeds the COO's BI dashboard: cost per unit is the COO's, margins are not."""
    from accounts.api_keys import ApiKeyPrincipal

    coo_key, _ = _key(acme_ceo, role=Role.COO)
    assert ApiKeyPrincipal(coo_key).can("kpis.view_operational_costs")
    assert not ApiKeyPrincipal(coo_key).can("kpis.view_costs")
    viewer_key, _ = _key(acme_ceo)
    assert not ApiKeyPrincipal(viewer_key).can("kpis.view_operational_costs")
