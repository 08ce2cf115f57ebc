"""Create and edit forms validate shapes; the services' business rules come back as field errors."""

from django.utils import timezone

from kpis.periods import period_containing
from objectives.models import Objective
from tests.objectives.helpers import make_objective

QUARTER = period_containing(timezone.localdate(), "quarter")  # the form offers quarters around today


def make_objective_this_quarter(org, **kwargs):
    return make_objective(org, start=QUARTER.start, end=QUARTER.end, **kwargs)


def _post(client, data, url="/o/acme/objectives/new/"):
    base = {"title": "Invoice 500 K€", "kind": "financial", "period": f"{QUARTER.start}/{QUARTER.end}",
            "owner_role": "cfo", "status": "active", "weight": 1, "check_in_every_days": 7}
    return client.post(url, {**base, **data})


def test_the_cfo_creates_a_quarterly_financial_objective(client, acme, alice):
    client.force_login(alice.user)
    response = _post(client, {"owner": alice.pk})
    objective = Objective.objects.for_org(acme).get()
    assert response.status_code == 302 and objective.period_end == QUARTER.end


def test_custom_dates_are_required_for_a_custom_period(client, acme, alice):
    client.force_login(alice.user)
    response = _post(client, {"owner": alice.pk, "period": "custom"})
    assert response.status_code == 200 and "Give both dates" in response.content.decode()


def test_a_child_outside_its_parents_period_is_refused_on_the_parent_field(client, acme, alice):
    parent = make_objective_this_quarter(acme, owner=alice)
    client.force_login(alice.user)
    response = _post(client, {"owner": alice.pk, "period": "custom", "period_start": QUARTER.start.replace(day=1)
                              .replace(year=QUARTER.start.year - 1), "period_end": QUARTER.end,
                              "parent": parent.pk})
    assert response.status_code == 200 and "within the parent objective" in response.content.decode()
    assert Objective.objects.for_org(acme).count() == 1


def test_the_cro_is_not_offered_the_financial_kind(client, acme):
    from accounts.capabilities import Role
    from tests.factories import make_member

    cro = make_member(acme, role=Role.CRO)
    client.force_login(cro.user)
    form = client.get("/o/acme/objectives/new/").context["form"]
    assert [k for k, _label in form.fields["kind"].choices] == ["commercial"]


def test_an_objective_cannot_be_moved_under_its_own_child(client, acme, alice):
    parent = make_objective_this_quarter(acme, owner=alice)
    child = make_objective_this_quarter(acme, owner=alice, parent=parent)
    client.force_login(alice.user)
    response = _post(client, {"owner": alice.pk, "parent": child.pk}, url=f"/o/acme/objectives/{parent.pk}/edit/")
    assert response.status_code == 200 and "under itself" in response.content.decode()


def test_editing_a_key_results_target_through_the_form_is_audited(client, acme, alice):
    from accounts.models import AuditEvent
    from tests.objectives.helpers import make_key_result

    kr = make_key_result(make_objective_this_quarter(acme, owner=alice), start="0", target="10", manual_value="2")
    client.force_login(alice.user)
    response = client.post(f"/o/acme/objectives/key-results/{kr.pk}/edit/", {
        "title": kr.title, "is_manual": "on", "direction": "increase", "start_value": "0", "target_value": "12",
        "weight": 1})
    assert response.status_code == 302
    kr.refresh_from_db()
    assert kr.target_value == 12 and kr.manual_value == 2
    assert AuditEvent.objects.for_org(acme).filter(action="key_result.target_changed").exists()
