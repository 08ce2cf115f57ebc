"""An objective's page reads the objective and its whole branch in one query, whatever the branch's depth: a
branch five levels deep costs what a branch of one level does, every level is scored, a cancelled descendant is
left out, and another company's objective is a 404."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from objectives.models import Objective
from tests.conftest import url
from tests.objectives.helpers import make_action_plan, make_key_result, make_objective


def _chain(org, owner, root, levels):
    """`levels` objectives below `root`, each the parent of the next, each half-way on a manual key result but
    the last, which is done."""
    parent = root
    for level in range(levels):
        parent = make_objective(org, owner=owner, parent=parent, kind=Objective.Kind.OPERATIONAL)
        make_key_result(parent, start="0", target="10", manual_value="10" if level == levels - 1 else "5")
        make_action_plan(parent)
    return parent


def _queries(client, objective) -> tuple[int, str]:
    path = url("objectives:objective_detail", org_slug=objective.organization.slug, objective_id=objective.pk)
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(path)
    assert page.status_code == 200
    return len(ctx.captured_queries), page.content.decode()


def test_a_deeper_branch_costs_no_query(client, acme, alice):
    client.force_login(alice.user)
    shallow = make_objective(acme, owner=alice, kind=Objective.Kind.STRATEGIC)
    _chain(acme, alice, shallow, 1)
    deep = make_objective(acme, owner=alice, kind=Objective.Kind.STRATEGIC)
    _chain(acme, alice, deep, 5)

    (shallow_count, _), (deep_count, html) = _queries(client, shallow), _queries(client, deep)

    assert deep_count == shallow_count
    # Its progress rolls up the whole branch, each level the mean of its key result and its child: from the
    # done bottom up, 100 → 75 → 62.5 → 56.25 → 53.1 (the level under it), 53 % shown.
    summary = html[html.index("summary-cards"):]
    assert 'value="53"' in summary[:summary.index("</div>")]


def test_a_cancelled_descendant_is_left_out_but_the_objective_itself_is_not(client, acme, alice):
    client.force_login(alice.user)
    root = make_objective(acme, owner=alice, status=Objective.Status.CANCELLED, title="Dropped plan")
    make_objective(acme, owner=alice, parent=root, status=Objective.Status.CANCELLED, title="Dropped child")
    make_objective(acme, owner=alice, parent=root, title="Kept child")

    _count, html = _queries(client, root)

    assert "Dropped plan" in html and "Kept child" in html and "Dropped child" not in html


def test_another_companys_objective_is_not_found(client, acme, alice, globex):
    client.force_login(alice.user)
    theirs = make_objective(globex)

    for name in ("objectives:objective_detail", "objectives:objective_children"):
        assert client.get(url(name, org_slug=acme.slug, objective_id=theirs.pk)).status_code == 404


def test_each_plan_names_the_key_results_it_serves_without_a_query_of_its_own(client, acme, alice):
    client.force_login(alice.user)
    objective = make_objective(acme, owner=alice)
    orders, basket, returns = (make_key_result(objective, start="0", target="10", title=t)
                               for t in ("Ship 3,000 orders", "Basket at 95 €", "Returns under 5 %"))
    plans = [make_action_plan(objective) for _ in range(2)]
    plans[0].key_results.set([basket, orders])
    plans[1].key_results.set([returns])
    alone, _html = _queries(client, objective)
    for _ in range(3):
        make_action_plan(objective).key_results.set([orders, returns])

    count, html = _queries(client, objective)

    assert count == alone
    assert "Serves: Ship 3,000 orders, Basket at 95 €" in html and html.count("Serves: Ship 3,000 orders, Returns") == 3
    assert "Serves: Returns under 5 %" in html
