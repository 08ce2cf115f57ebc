"""The engine's forecast methods reach pages in the reader's language, never in the engine's English."""

from django.utils import translation

from kpis.presenters.feeds import forecast_method_text


def test_a_seasonal_forecast_reads_in_french():
    with translation.override("fr"):
        text = forecast_method_text("run-rate of the 14 days elapsed × seasonality of Q4 2025 (1.2500)")
    assert text == "rythme des 14 jours écoulés × saisonnalité de T4 2025 (1,25)"


def test_a_run_rate_forecast_reads_in_french():
    with translation.override("fr"):
        assert forecast_method_text("run-rate of the 14 days elapsed extended to 30 days") == (
            "rythme des 14 jours écoulés prolongé sur 30 jours")


def test_an_engine_reason_never_reaches_the_page():
    with translation.override("en"):
        text = forecast_method_text("no run-rate: revenue has no value (revenue_ledger has no value)")
    assert text == "no run-rate yet: not enough data in the period"


def test_an_unknown_sentence_is_shown_in_plain_words():
    with translation.override("fr"):
        assert forecast_method_text("something new the engine says") == "prévision d’après le rythme de la période"


def test_one_day_is_singular_and_a_month_is_named():
    with translation.override("fr"):
        text = forecast_method_text("run-rate of the 1 days elapsed × seasonality of 2025-12 (0.9300)")
    assert text == "rythme du 1 jour écoulé × saisonnalité de décembre 2025 (0,93)"
