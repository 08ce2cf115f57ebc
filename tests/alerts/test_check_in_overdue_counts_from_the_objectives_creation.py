"""An objective set mid-period is not overdue for the weeks before it existed."""

from datetime import date, timedelta

from alerts.models import Alert
from tests.alerts.helpers import NOW, evaluate, make_rule
from tests.objectives.helpers import make_objective


def test_a_year_objective_created_two_days_ago_is_not_overdue(acme):
    objective = make_objective(acme, start=date(2026, 1, 1), end=date(2026, 12, 31))
    type(objective).objects.filter(pk=objective.pk).update(created_at=NOW - timedelta(days=2))
    make_rule(acme, "check_in_overdue", grace_days=3)

    evaluate(acme)

    assert not Alert.objects.for_org(acme).exists()
