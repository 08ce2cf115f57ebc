"""Open alerts feed the objectives' risk score, the consultant's portfolio counts and their inbox."""

from accounts.capabilities import Role
from alerts.models import Alert
from portfolio.alerts import open_alert_counts
from portfolio.clients import reading_clients
from portfolio.inbox.selectors import inbox_items
from objectives.selectors import open_alerts_for
from tests.alerts.helpers import NOW, make_kpi, make_rule
from tests.factories import make_member
from tests.portfolio.helpers import client_of, consultant_of
from tests.objectives.helpers import make_key_result, make_objective


def _alert(org, *, kpi=None, objective=None, status="open", audience=",ceo,cfo,coo,cro,admin,viewer,", key="s"):
    rule = make_rule(org, "period_change")
    return Alert.objects.create(organization=org, rule=rule, kind=rule.kind, subject_key=key, status=status,
                                kpi=kpi, objective=objective, audience=audience, opened_at=NOW, last_seen_at=NOW)


def test_the_risk_score_counts_the_open_alerts_on_the_objective_and_its_kpis(acme):
    revenue = make_kpi(acme, "revenue")
    objective = make_objective(acme)
    make_key_result(objective, kpi=revenue)
    _alert(acme, kpi=revenue, key="a")
    _alert(acme, objective=objective, key="b")
    _alert(acme, kpi=revenue, status="resolved", key="c")

    assert open_alerts_for(objective, kpi_ids=[revenue.pk]) == 2


def test_portfolio_counts_each_clients_open_alerts_as_the_consultants_role_sees_them(capfirm):
    olivier = consultant_of(capfirm)
    lumen, nuage = client_of(olivier, name="Lumen", role=Role.COO), client_of(olivier, name="Nuage")
    _alert(lumen, key="a")
    _alert(lumen, key="b")
    _alert(lumen, audience=",ceo,cfo,", key="costs")  # a COO engagement: no cost detail
    _alert(nuage, status="acknowledged", key="c")  # live, but someone has it in hand

    with reading_clients(olivier) as clients:
        assert open_alert_counts(clients) == {lumen.pk: 2, nuage.pk: 0}


def test_the_inbox_lists_the_live_alerts_the_consultants_role_may_see_in_each_client(capfirm, globex):
    olivier = consultant_of(capfirm)
    lumen = client_of(olivier, name="Lumen", role=Role.COO)
    _alert(lumen, key="everyone")
    _alert(lumen, audience=",ceo,cfo,", key="costs")
    _alert(globex, key="not-engaged")
    make_member(globex, role=Role.CEO)

    with reading_clients(olivier) as clients:
        items = [i for i in inbox_items(clients) if i.source == "alerts"]

    assert [(i.org, i.url) for i in items] == [(lumen, f"/o/{lumen.slug}/alerts/{Alert.objects.get(subject_key='everyone').pk}/")]
