from decimal import Decimal as D

from objectives.scoring import Level, RiskInputs, risk_score


def _points(risk):
    return {f.key: f.points for f in risk.factors}


def test_on_pace_with_a_confident_check_in_and_fresh_data_is_on_track():
    risk = risk_score(RiskInputs(progress=D("0.6"), elapsed=D("0.5"), forecast_progress=D("1.1"),
                                 confidence="on_track", key_results=2))
    assert risk.score == 0
    assert risk.level == Level.ON_TRACK


def test_each_term_adds_its_documented_points():
    # Pace: 20 points behind → 35 × 0.2 ÷ 0.5 = 14. Forecast 85 % → 30 × 0.15 ÷ 0.3 = 15.
    # Last check-in at risk → 8. One of two key results stale → 5. No alerts → 0. Total 42.
    risk = risk_score(RiskInputs(progress=D("0.4"), elapsed=D("0.6"), forecast_progress=D("0.85"),
                                 confidence="at_risk", stale_key_results=1, key_results=2))
    assert _points(risk) == {"pace": D("14"), "forecast": D("15"), "confidence": D("8"), "freshness": D("5"),
                             "alerts": D("0")}
    assert risk.score == 42
    assert risk.level == Level.AT_RISK


def test_far_behind_with_a_poor_forecast_and_a_low_confidence_score_is_off_track():
    # Pace 60 points behind → capped at 35; forecast 50 % → capped at 30; score 1/10 → 15. Total 80.
    risk = risk_score(RiskInputs(progress=D("0.1"), elapsed=D("0.7"), forecast_progress=D("0.5"),
                                 confidence="on_track", confidence_score=1, key_results=1))
    assert risk.score == 80
    assert risk.level == Level.OFF_TRACK


def test_no_check_in_yet_counts_five_points():
    risk = risk_score(RiskInputs(progress=D("0.5"), elapsed=D("0.5"), key_results=1))
    assert _points(risk)["confidence"] == D("5")
    assert risk.score == 5


def test_open_alerts_count_five_points_each_up_to_ten():
    risk = risk_score(RiskInputs(progress=D("0.5"), elapsed=D("0.5"), confidence="on_track", open_alerts=3))
    assert _points(risk)["alerts"] == D("10")


def test_nothing_known_is_no_data_rather_than_a_reassuring_zero():
    risk = risk_score(RiskInputs(progress=None, elapsed=D("0.5")))
    assert risk.score is None
    assert risk.level == Level.NO_DATA


def test_the_explanation_names_every_term():
    risk = risk_score(RiskInputs(progress=D("0.4"), elapsed=D("0.6"), confidence="at_risk", key_results=1))
    assert "progress 40 %" in risk.explanation and "60 %" in risk.explanation
    assert "(+14)" in risk.explanation
