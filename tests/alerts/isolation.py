"""How the route walkers make the objects the alerts routes name."""

from tests.alerts.helpers import NOW


def _rule(org):
    from alerts.models import AlertRule

    return AlertRule.objects.create(organization=org, kind="late_payment", name="Walker rule",
                                    parameters={"days": 30}, subscriber_roles=["ceo"])


def _alert_id(org):
    from alerts.models import Alert

    rule = _rule(org)
    # Seen by every role, so a 404 under another tenant's slug can only come from the tenancy.
    return Alert.objects.create(organization=org, rule=rule, kind=rule.kind, subject_key=f"walker:{rule.pk}",
                                audience=",ceo,cfo,coo,cro,admin,viewer,", opened_at=NOW, last_seen_at=NOW).pk


# The link of every alert e-mail: no login, the signed token names the member (and its organization).
# Its `token` comes from tests/accounts/isolation.py (a token that is not one: the link answers 404).
PUBLIC_ROUTES = {"alerts_unsubscribe"}

URL_KWARG_FACTORIES = {
    "alert_id": _alert_id,
    "rule_id": lambda org: _rule(org).pk,
}
