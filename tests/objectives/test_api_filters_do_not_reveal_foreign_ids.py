"""An API filter on a related object answers the same for another tenant's id as for an id that does not
exist, so it cannot tell which ids exist elsewhere (issue #9)."""

import pytest

from tests.objectives.helpers import make_key_result, make_objective

API = "/api/v1/orgs/acme"


@pytest.mark.parametrize("route, name, make", [
    ("objectives", "parent", lambda org: make_objective(org).pk),
    ("objectives", "owner", lambda org: make_objective(org).owner_id),
    ("key-results", "objective", lambda org: make_objective(org).pk),
    ("check-ins", "key_result", lambda org: make_key_result(make_objective(org)).pk),
])
def test_a_foreign_id_in_a_filter_answers_like_a_missing_one(client, acme, globex, alice, route, name, make):
    make_objective(acme, owner=alice)
    foreign = make(globex)
    client.force_login(alice.user)
    foreign_answer = client.get(f"{API}/{route}/", {name: foreign})
    missing_answer = client.get(f"{API}/{route}/", {name: 999_999_999})
    assert foreign_answer.status_code == missing_answer.status_code == 400
    assert list(foreign_answer.json()) == list(missing_answer.json()) == [name]


def test_an_own_id_in_a_filter_still_filters(client, acme, alice):
    parent = make_objective(acme, owner=alice, title="Parent")
    make_objective(acme, owner=alice, title="Child", parent=parent)
    client.force_login(alice.user)
    response = client.get(f"{API}/objectives/", {"parent": parent.pk})
    assert [o["title"] for o in response.json()["results"]] == ["Child"]
