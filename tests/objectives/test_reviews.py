"""Reviews: the meeting record, with each discussed objective's progress frozen on the day."""

from datetime import date

from accounts.capabilities import Role
from objectives.models import Review
from tests.factories import make_member
from tests.objectives.helpers import make_action_plan, make_key_result, make_objective


def test_recording_a_review_freezes_progress_and_links_follow_ups(client, acme, alice, bob):
    objective = make_objective(acme, owner=alice, title="Invoice 500 K€")
    kr = make_key_result(objective, start="0", target="10", manual_value="4")
    plan = make_action_plan(objective)
    client.force_login(bob.user)
    response = client.post("/o/acme/objectives/reviews/new/", {
        "title": "November review", "held_on": "2026-11-20", "participants": [alice.pk, bob.pk],
        "objectives": [objective.pk], "decisions": "Second shift\nCap acquisition", "follow_ups": [plan.pk]})
    review = Review.objects.for_org(acme).get()
    assert response.status_code == 302
    assert review.snapshot[0]["progress"] == 40 and review.decision_lines == ["Second shift", "Cap acquisition"]
    kr.manual_value = 9
    kr.save(update_fields=["manual_value"])
    page = client.get(f"/o/acme/objectives/reviews/{review.pk}/").content.decode()
    assert "40 %" in page and "Second shift" in page and plan.title in page


def test_a_cro_reads_reviews_but_may_not_record_one(client, acme):
    cro = make_member(acme, role=Role.CRO)
    client.force_login(cro.user)
    assert client.get("/o/acme/objectives/reviews/").status_code == 200
    response = client.post("/o/acme/objectives/reviews/new/", {"title": "R", "held_on": "2026-11-20"})
    assert response.status_code == 403
    assert not Review.objects.for_org(acme).exists()


def test_the_review_list_makes_the_same_number_of_queries_for_1_or_6_reviews(client, acme, alice, bob):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice.user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/o/acme/objectives/reviews/").status_code == 200
        return len(ctx.captured_queries)

    Review.objects.create(organization=acme, title="R0", held_on=date(2026, 11, 1)).participants.set([alice])
    client.get("/o/acme/objectives/reviews/")
    one = count()
    for day in range(2, 7):
        Review.objects.create(organization=acme, title=f"R{day}", held_on=date(2026, 11, day)).participants.set(
            [alice, bob])
    assert count() == one
