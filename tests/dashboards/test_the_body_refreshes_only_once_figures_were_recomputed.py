"""The dashboard body asks itself again every 30 s with the time its figures were computed (`since`): while the
engine computed nothing newer it answers 204 and reads nothing past the figures (no objectives tree, no data
freshness); once a value is recomputed it answers the new body."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import unquote

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.capabilities import Role
from kpis.models import KpiValue
from tests.conftest import url
from tests.factories import make_member
from tests.kpis.ui.kpi_data import make_kpi, set_history
from tests.objectives.helpers import make_key_result, make_objective


def _stamp(html: str) -> str:
    return unquote(re.search(r'since=([^"&]+)"', html).group(1))


def test_the_refresh_answers_204_without_building_widgets_then_the_body_once_a_value_is_recomputed(client, acme):
    ceo = make_member(acme, role=Role.CEO)
    revenue = make_kpi(acme, slug="revenue")
    set_history(revenue, last=date(2026, 10, 1), values=["100"] * 12)
    make_key_result(make_objective(acme, owner=ceo), kpi=revenue, target="1000")
    client.force_login(ceo.user)
    home = url("accounts:org_home", org_slug="acme")
    stamp = _stamp(client.get(home).content.decode())
    refresh = {"period": "month", "comparison": "previous", "since": stamp}

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(home, refresh, headers={"HX-Request": "true"})
    assert response.status_code == 204
    read = " ".join(q["sql"] for q in ctx.captured_queries)
    assert '"kpis_kpivalue"' in read
    assert '"objectives_' not in read and '"integrations_connection"' not in read

    KpiValue.objects.for_org(acme).filter(kpi=revenue, period_start=date(2026, 10, 1)).update(
        value=Decimal(150), computed_at=datetime(2026, 11, 15, 11, 0, tzinfo=UTC))
    response = client.get(home, refresh, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="dashboard-body"' in body and "<html" not in body
    assert _stamp(body) != stamp and "€150" in body
