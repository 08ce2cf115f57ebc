"""How a forecast was made reads in the reader's language: the engine stores a code and figures only."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation

from kpis.models import KpiForecast
from kpis.presenters.common import forecast_method_text


def _forecast(method, **basis):
    return SimpleNamespace(method=method, basis=basis, elapsed=Decimal("0.1"), last_year=Decimal("1200"),
                           as_of=date(2026, 3, 10))


def test_a_run_rate_reads_in_french_with_its_days():
    with translation.override("fr"):
        text = forecast_method_text(_forecast(KpiForecast.Method.RUN_RATE, days=14, period_days=31), "eur")
    assert "14" in text and "31" in text and "Run-rate" not in text


def test_too_early_says_so_and_gives_last_year_in_french():
    with translation.override("fr"):
        text = forecast_method_text(_forecast(KpiForecast.Method.TOO_EARLY, min_share="0.2"), "eur")
    assert "1\u202f200" in text or "1\u00a0200" in text
    assert "Too early" not in text


def test_an_older_forecast_says_when_it_was_made():
    with translation.override("en"):
        text = forecast_method_text(_forecast(KpiForecast.Method.STOCK_TREND), "eur", today=date(2026, 3, 12))
    assert text.endswith("(made on 10/03/2026)")
