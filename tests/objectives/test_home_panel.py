"""The objectives panel on the home page: what is due from me, my objectives; the CEO's summary and top risks."""

from datetime import timedelta

from django.utils import timezone

from accounts.capabilities import Role
from objectives.models import Objective
from objectives.panels import home_panel
from tests.factories import make_member
from tests.objectives.helpers import make_check_in, make_key_result, make_objective


def _this_quarter():
    from kpis.periods import period_containing

    p = period_containing(timezone.localdate(), "quarter")
    return {"start": p.start, "end": p.end}


def test_an_owner_sees_the_check_ins_due_from_them(acme, alice):
    due = make_objective(acme, owner=alice, title="Never checked in", **_this_quarter())
    done = make_objective(acme, owner=alice, title="Checked in yesterday", **_this_quarter())
    make_check_in(done, on=timezone.localdate() - timedelta(days=1))
    _template, panel = home_panel(alice)
    assert [n.objective for n in panel["due"]] == [due]
    assert {n.objective for n in panel["mine"]} == {due, done}


def test_the_ceo_sees_the_tree_summary_and_the_top_risks(acme, alice, acme_ceo):
    for value in ("1", "5", "9", "10"):
        make_key_result(make_objective(acme, owner=alice, **_this_quarter()), start="0", target="10",
                        manual_value=value)
    _template, panel = home_panel(acme_ceo)
    assert panel["total"] == 4 and sum(panel["summary"].values()) == 4
    assert len(panel["top_risks"]) == 3
    scores = [n.risk.score for n in panel["top_risks"]]
    assert scores == sorted(scores, reverse=True)


def test_a_coo_sees_the_targets_handed_to_them(acme, alice, bob):
    from objectives.models import DerivedTarget
    from tests.objectives.helpers import make_kpi

    parent = make_objective(acme, owner=alice, **_this_quarter())
    DerivedTarget.objects.create(organization=acme, objective=parent, kpi=make_kpi(acme, unit="count"),
                                 kind=Objective.Kind.OPERATIONAL, start_value=0, target_value=2760)
    _template, panel = home_panel(bob)
    assert [d.target_value for d in panel["waiting"]] == [2760]
    _template, cfo_panel = home_panel(alice)
    assert cfo_panel["waiting"] == []


def test_the_panel_renders_on_the_home_page(client, acme, alice):
    make_objective(acme, owner=alice, title="Invoice 500 K€", **_this_quarter())
    client.force_login(alice.user)
    page = client.get("/o/acme/").content.decode()
    assert 'data-testid="objectives-panel"' in page and "Invoice 500 K€" in page


def test_nothing_to_show_means_no_panel(acme):
    assert home_panel(make_member(acme, role=Role.VIEWER)) is None


def test_a_viewer_sees_the_quarters_objectives_counted_by_status_but_not_the_top_risks(acme, alice):
    make_objective(acme, owner=alice, **_this_quarter())
    _template, panel = home_panel(make_member(acme, role=Role.VIEWER))
    assert panel["total"] == 1 and panel["top_risks"] is None
