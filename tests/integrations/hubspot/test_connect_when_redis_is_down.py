"""Connecting HubSpot with a private-app token while Redis is down answers with the reason, never a 500."""

import pytest
from django.urls import reverse

from integrations.models import Connection
from tests.factories import make_member
from tests.integrations.hubspot.conftest import TOKEN
from tests.redis_server import redis_down  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_connecting_hubspot_says_the_shared_budget_is_unavailable(client, acme, hubspot_fake, redis_down):
    client.force_login(make_member(acme, role="admin").user)

    response = client.post(reverse("integrations:connection_connect", kwargs={"org_slug": "acme"}),
                           {"provider": "hubspot", "token": TOKEN})

    assert response.status_code == 200
    assert "does not answer: try again in a few minutes" in response.content.decode()
    assert not Connection.objects.for_org(acme).exists()
