"""The CMO's and the CXO's digests are their roles' KPI packs (kpis/catalogue/role_packs.toml), like every role
digest: the PDF holds the pack's figures, and nothing of another role's pack."""

import pytest
from django.core import mail

from accounts.capabilities import Role
from kpis.catalogue import role_pack
from kpis.models import Kpi
from reports import services
from reports.kinds import digest_kind
from reports.schedule import month_period
from tests.factories import make_member
from tests.kpis.ui.kpi_data import make_kpi, set_value
from tests.reports.helpers import REPORT_MONTH, kpis_with_history, make_schedule, pdf_text


def _pdf_text(message) -> str:
    (content,) = [a[1] for a in message.attachments if isinstance(a, tuple) and a[2] == "application/pdf"]
    return pdf_text(content)


@pytest.mark.parametrize("role", ["ceo", "cfo", "coo", "cro", "cmo", "cxo"])
def test_each_role_digest_shows_its_roles_pack_and_no_list_of_its_own(role):
    assert digest_kind(role).kpis == role_pack(role).kpis
    assert set(digest_kind(role).charts) <= set(role_pack(role).kpis)


def test_the_cmo_digest_holds_marketing_spend_and_cost_per_lead(acme):
    kpis_with_history(acme)  # revenue and EBE: not in the CMO's pack
    spend = make_kpi(acme, slug="total_marketing_spend", name="Marketing spend")
    per_lead = make_kpi(acme, slug="cost_per_lead", name="Cost per lead")
    set_value(spend, REPORT_MONTH, "18250")
    set_value(per_lead, REPORT_MONTH, "42.5")
    cmo = make_member(acme, role=Role.CMO, email="cmo@acme.test")
    services.schedule_deliver(schedule=make_schedule(acme, kind="cmo", roles=[Role.CMO]),
                              period=month_period(REPORT_MONTH))
    (message,) = mail.outbox
    assert message.to == [cmo.user.email]
    assert message.subject == "CMO marketing · Acme · October 2026"
    text = _pdf_text(message)
    assert "Marketing spend" in text and "€18,250" in text
    assert "Cost per lead" in text and "€42.50" in text
    assert "Revenue" not in text and "€123,456" not in text


def test_the_cxo_digest_holds_nps_and_on_time_delivery(acme):
    kpis_with_history(acme)
    nps = make_kpi(acme, slug="nps", name="NPS", unit=Kpi.Unit.COUNT, category=Kpi.Category.OPERATIONS)
    on_time = make_kpi(acme, slug="on_time_delivery", name="On-time delivery", unit=Kpi.Unit.PERCENT,
                       category=Kpi.Category.OPERATIONS)
    set_value(nps, REPORT_MONTH, "47")
    set_value(on_time, REPORT_MONTH, "93.4")
    cxo = make_member(acme, role=Role.CXO, email="cxo@acme.test")
    services.schedule_deliver(schedule=make_schedule(acme, kind="cxo", members=[cxo]),
                              period=month_period(REPORT_MONTH))
    (message,) = mail.outbox
    assert message.subject == "CXO customer experience · Acme · October 2026"
    text = _pdf_text(message)
    assert "NPS" in text and "47" in text
    assert "On-time delivery" in text and "93.4%" in text
    assert "€123,456" not in text
