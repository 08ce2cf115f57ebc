"""Open alerts feed the objectives' risk score, the consultant's portfolio counts and their inbox."""

from accounts.capabilities import Role
from alerts.models import Alert
from alerts.selectors import open_alert_counts, open_alerts_for_member
from objectives.selectors import open_alerts_for
from tests.alerts.helpers import NOW, make_kpi, make_rule
from tests.factories import make_member
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


def test_portfolio_counts_each_client_and_zero_for_a_quiet_one(acme, globex):
    _alert(acme, key="a")
    _alert(acme, key="b")
    _alert(globex, status="acknowledged", key="c")

    assert open_alert_counts([acme.pk, globex.pk]) == {acme.pk: 2, globex.pk: 0}


def test_the_inbox_shows_what_the_consultants_role_may_see_in_each_client(acme, globex, carol):
    _alert(acme, key="everyone")
    _alert(acme, audience=",ceo,cfo,", key="costs")  # carol is Acme's COO: no cost detail
    _alert(globex, key="not-engaged")
    make_member(globex, role=Role.CEO)

    inbox = open_alerts_for_member(carol, [acme, globex])

    assert [a.subject_key for a in inbox] == ["everyone"]
