"""The API: reads for every member, writes through the services' capability rules, related ids limited to the org."""

from accounts.capabilities import Role
from objectives.models import CheckIn, Objective
from tests.factories import make_member
from tests.objectives.helpers import make_key_result, make_kpi, make_objective

API = "/api/v1/orgs/acme"


def test_a_viewer_lists_objectives_with_their_progress_and_risk(client, acme, alice):
    objective = make_objective(acme, owner=alice, title="Invoice 500 K€")
    make_key_result(objective, start="0", target="10", manual_value="5")
    client.force_login(make_member(acme, role=Role.VIEWER).user)
    listing = client.get(f"{API}/objectives/").json()
    assert [o["title"] for o in listing["results"]] == ["Invoice 500 K€"]
    detail = client.get(f"{API}/objectives/{objective.pk}/").json()
    assert detail["progress"] == 0.5 and detail["risk"]["level"] in {"on_track", "at_risk", "off_track"}


def test_the_cfo_creates_a_financial_objective_and_the_cro_may_not(client, acme, alice):
    body = {"title": "Invoice 500 K€", "kind": "financial", "period_start": "2026-10-01", "period_end": "2026-12-31"}
    client.force_login(alice.user)
    created = client.post(f"{API}/objectives/", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["owner"] == alice.pk
    client.force_login(make_member(acme, role=Role.CRO).user)
    assert client.post(f"{API}/objectives/", body, content_type="application/json").status_code == 403


def test_a_viewer_may_not_write(client, acme, alice):
    objective = make_objective(acme, owner=alice)
    client.force_login(make_member(acme, role=Role.VIEWER).user)
    response = client.post(f"{API}/check-ins/", {"objective": objective.pk, "confidence": "on_track"},
                           content_type="application/json")
    assert response.status_code == 403


def test_another_companys_ids_in_a_body_are_rejected_as_unknown(client, acme, globex, alice):
    foreign_parent = make_objective(globex)
    foreign_kpi = make_kpi(globex)
    client.force_login(alice.user)
    response = client.post(f"{API}/objectives/", {
        "title": "Leak", "kind": "financial", "period_start": "2026-10-01", "period_end": "2026-12-31",
        "parent": foreign_parent.pk}, content_type="application/json")
    assert response.status_code == 400 and "parent" in response.json()
    mine = make_objective(acme, owner=alice)
    response = client.post(f"{API}/key-results/", {
        "objective": mine.pk, "title": "Leak", "kpi": foreign_kpi.pk, "start_value": "0", "target_value": "1"},
        content_type="application/json")
    assert response.status_code == 400 and "kpi" in response.json()
    assert not Objective.objects.for_org(acme).filter(title="Leak").exists()


def test_a_check_in_through_the_api_is_recorded_with_its_author(client, acme, alice, bob):
    objective = make_objective(acme, owner=alice)
    client.force_login(bob.user)
    response = client.post(f"{API}/check-ins/", {"objective": objective.pk, "confidence": "at_risk",
                                                 "confidence_score": 4, "note": "Peak"},
                           content_type="application/json")
    assert response.status_code == 201
    assert CheckIn.objects.for_org(acme).get().author == bob
