"""Every HubSpot property value is a string: amounts, dates (ISO or epoch ms, or a bare date) and
stage probabilities are parsed, never trusted as numbers."""

from datetime import UTC, date, datetime
from decimal import Decimal

from integrations.providers.hubspot.mapping import Stages, map_deal, parse_amount, parse_date, parse_datetime

PIPELINES = [{"id": "default", "label": "Sales Pipeline", "stages": [
    {"id": "won", "label": "Won", "metadata": {"isClosed": "true", "probability": "1.0"}},
    {"id": "lost", "label": "Lost", "metadata": {"isClosed": "true", "probability": "0.0"}},
    {"id": "demo", "label": "Demo", "metadata": {"isClosed": "false", "probability": "0.5"}},
    {"id": "intro", "label": "Intro", "metadata": {"isClosed": "false", "probability": "0.1"}},
]}]


def _deal(**props):
    base = {"dealname": "Acme — Pro", "amount": "1500.5", "dealstage": "demo", "pipeline": "default",
            "createdate": "2026-03-01T08:00:00.000Z", "hs_lastmodifieddate": "1772352000000"}
    return {"id": "42", "properties": {**base, **props}}


def test_dates_come_as_iso_epoch_milliseconds_or_bare_dates():
    assert parse_datetime("2026-03-01T08:00:00.000Z") == datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert parse_datetime("1772352000000") == datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert parse_date("2026-06-30") == date(2026, 6, 30)
    assert parse_date("2026-06-30T22:30:00Z") == date(2026, 7, 1)  # midnight passed in Paris
    assert parse_datetime("next tuesday") is None


def test_amounts_are_decimals_and_an_empty_amount_is_zero():
    assert parse_amount("1500.5") == Decimal("1500.50")
    assert parse_amount("") == Decimal("0.00")
    assert parse_amount("1,500") is None
    assert parse_amount("NaN") is None


def test_won_lost_and_qualified_come_from_the_stage_metadata():
    stages = Stages(PIPELINES)

    won = map_deal(_deal(dealstage="won"), stages=stages, owners={}, company_id=None).fields
    lost = map_deal(_deal(dealstage="lost"), stages=stages, owners={}, company_id=None).fields
    demo = map_deal(_deal(dealstage="demo"), stages=stages, owners={}, company_id=None).fields
    intro = map_deal(_deal(dealstage="intro"), stages=stages, owners={}, company_id=None).fields

    assert (won["is_closed"], won["is_won"], won["is_qualified"]) == (True, True, True)
    assert (lost["is_closed"], lost["is_won"], lost["is_qualified"]) == (True, False, False)
    assert (demo["is_closed"], demo["is_qualified"], demo["stage"]) == (False, True, "Demo")
    assert intro["is_qualified"] is False  # 0.1 is under the 0.3 threshold


def test_qualified_stages_can_be_named_in_settings_instead(settings):
    settings.HUBSPOT_QUALIFIED_STAGES = ["intro"]
    stages = Stages(PIPELINES)

    assert map_deal(_deal(dealstage="intro"), stages=stages, owners={}, company_id=None).fields["is_qualified"]
    assert not map_deal(_deal(dealstage="demo"), stages=stages, owners={}, company_id=None).fields["is_qualified"]


def test_a_deal_in_a_stage_hubspot_no_longer_lists_keeps_its_id_as_stage():
    record = map_deal(_deal(dealstage="retired_stage"), stages=Stages(PIPELINES), owners={}, company_id="7")

    assert record.fields["stage"] == "retired_stage"
    assert record.fields["is_closed"] is False
    assert record.fields["company_external_id"] == "7"
    assert record.source_updated_at == datetime(2026, 3, 1, 8, tzinfo=UTC)
