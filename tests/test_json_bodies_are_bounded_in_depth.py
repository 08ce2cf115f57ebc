"""Every JSON endpoint refuses a body nested deeper than JSON_MAX_DEPTH with a 400, before decoding it."""

import json

import pytest

from accounts.api_input import json_depth
from config.limits import JSON_MAX_DEPTH
from tests.objectives.helpers import make_objective

API = "/api/v1/orgs/acme"
WRITES = ["objectives/", "key-results/", "action-plans/", "check-ins/", "kpis/what-if/"]


def _nested(depth: int) -> str:
    return '{"a":' * (depth - 1) + "[1]" + "}" * (depth - 1)


@pytest.mark.parametrize("path", WRITES)
def test_a_body_nested_1000_deep_is_a_400_on_every_json_endpoint(client, acme_ceo, path):
    client.force_login(acme_ceo.user)
    response = client.post(f"{API}/{path}", "[" * 1000 + "]" * 1000, content_type="application/json")
    assert response.status_code == 400
    assert f"nested too deeply ({JSON_MAX_DEPTH} levels at most)" in response.json()["detail"]


def test_a_patch_is_bounded_too(client, acme, acme_ceo):
    objective = make_objective(acme, owner=acme_ceo)
    client.force_login(acme_ceo.user)
    response = client.patch(f"{API}/objectives/{objective.pk}/", _nested(1000), content_type="application/json")
    assert response.status_code == 400


def test_a_body_at_the_limit_reaches_validation(client, acme_ceo):
    client.force_login(acme_ceo.user)
    response = client.post(f"{API}/check-ins/", _nested(JSON_MAX_DEPTH), content_type="application/json")
    assert response.status_code == 400 and "objective" in response.json()  # parsed, then refused by the serializer


def test_brackets_inside_strings_do_not_count():
    assert json_depth(json.dumps({"note": "[[[{{{" * 100, "list": [[1]]})) == 3
    assert json_depth(json.dumps({"quote": 'a \\" [[[ "'})) == 1
    assert json_depth("1") == 0
