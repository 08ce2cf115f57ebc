"""Notes, descriptions and decisions hold TEXT_MAX_LENGTH characters at most: a 2 MB note is refused."""

from config.limits import TEXT_MAX_LENGTH
from objectives.models import CheckIn, Objective
from tests.conftest import url
from tests.objectives.helpers import make_objective

API = "/api/v1/orgs/acme"
HUGE = "x" * 2_000_000


def test_a_2_mb_check_in_note_is_refused_by_the_api(client, acme, alice):
    objective = make_objective(acme, owner=alice)
    client.force_login(alice.user)
    response = client.post(f"{API}/check-ins/", {"objective": objective.pk, "confidence": "on_track", "note": HUGE},
                           content_type="application/json")
    assert response.status_code == 400 and "note" in response.json()
    assert not CheckIn.objects.for_org(acme).exists()


def test_a_note_at_the_limit_is_kept(client, acme, alice):
    objective = make_objective(acme, owner=alice)
    client.force_login(alice.user)
    response = client.post(f"{API}/check-ins/", {"objective": objective.pk, "confidence": "on_track",
                                                 "note": "x" * TEXT_MAX_LENGTH}, content_type="application/json")
    assert response.status_code == 201


def test_a_2_mb_note_is_refused_by_the_quick_check_in(client, acme, alice):
    objective = make_objective(acme, owner=alice)
    client.force_login(alice.user)
    client.post(url("objectives:objective_check_in", org_slug="acme", objective_id=objective.pk),
                {"confidence": "on_track", "note": HUGE})
    assert not CheckIn.objects.for_org(acme).exists()


def test_a_2_mb_description_is_refused_by_the_api(client, acme, alice):
    client.force_login(alice.user)
    response = client.post(f"{API}/objectives/", {"title": "Big", "kind": "financial", "description": HUGE,
                                                  "period_start": "2026-10-01", "period_end": "2026-12-31"},
                           content_type="application/json")
    assert response.status_code == 400 and "description" in response.json()
    assert not Objective.objects.for_org(acme).exists()
