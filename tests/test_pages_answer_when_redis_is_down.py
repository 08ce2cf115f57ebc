"""With Redis gone (cache, rate limits, broker), every page and the API keep answering from the database."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.capabilities import Role
from objectives.models import Objective
from tests.factories import PASSWORD, make_member, make_org
from tests.objectives.helpers import make_key_result, make_kpi, make_kpi_value, make_objective
from tests.redis_server import redis_down  # noqa: F401  (fixture)
from tests.routes import all_routes, build_url

pytestmark = pytest.mark.usefixtures("redis_down")


def test_the_login_page_answers_and_signs_in(client, alice):
    assert client.get(reverse("account_login")).status_code == 200

    response = client.post(reverse("account_login"), {"login": alice.user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.user.pk)


def test_a_wrong_password_is_still_refused_and_counted(client, alice):
    from axes.models import AccessAttempt

    response = client.post(reverse("account_login"), {"login": alice.user.email, "password": "wrong-password"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username=alice.user.email).exists()  # axes keeps its count in the database


@pytest.fixture
def objective_with_forecast(acme, alice):
    """A key result on a KPI of the running quarter: its page asks the cached KPI forecast."""
    today = timezone.localdate()
    start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    end = (start.replace(month=start.month + 2, day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    kpi = make_kpi(acme, slug="revenue_walk")
    make_kpi_value(acme, kpi=kpi, value="1000", start=start, end=end)
    objective = make_objective(acme, owner=alice, start=start, end=end)
    make_key_result(objective, kpi=kpi, target="5000")
    return objective


def test_the_org_home_the_cascade_and_an_objective_page_answer(client, alice, objective_with_forecast):
    client.force_login(alice.user)
    org = objective_with_forecast.organization
    period = f"{objective_with_forecast.period_start}/{objective_with_forecast.period_end}"

    assert client.get(reverse("accounts:org_home", kwargs={"org_slug": org.slug})).status_code == 200
    cascade = client.get(reverse("objectives:cascade", kwargs={"org_slug": org.slug}) + f"?period={period}")
    assert cascade.status_code == 200
    assert objective_with_forecast.title in cascade.content.decode()
    detail = client.get(reverse("objectives:objective_detail", kwargs={
        "org_slug": org.slug, "objective_id": objective_with_forecast.pk}))
    assert detail.status_code == 200


@pytest.mark.parametrize("role", [Role.CEO, Role.ADMIN])
def test_every_tenant_page_and_api_route_answers_without_error(client, db, role):
    org = make_org()
    member = make_member(org, role=role)
    client.force_login(member.user)
    answered = 0
    for route in (r for r in all_routes() if r.is_tenant):
        if route.capability_for("get") is None or not member.can(route.capability_for("get")):
            continue
        path = build_url(route, slug_org=org, objects_org=org)
        response = client.get(path)  # an exception (Redis' ConnectionError) would fail the test here
        assert response.status_code < 500, f"GET {route.name} answered {response.status_code}"
        answered += 1
    assert answered > 10
    assert Objective.objects.for_org(org).exists()
