"""The arithmetic of the cascade: key-result progress, roll-up and the risk score. Pure functions, no database.

Progress of a key result
    progress = (current − start) ÷ (target − start), the share of the way from start to target.
    It works in both directions: a cost per unit to bring from 50 down to 46 has target below start,
    and a current value of 48 is half-way (0.5). The raw figure may exceed 1 (target beaten) or fall
    below 0 (moved the wrong way); roll-ups and bars use it clamped to [0, 1].
    When start equals target the key result is binary: met (1) or not (0), in its direction.

Roll-up (weighting)
    An objective's progress is the weighted mean of the clamped progress of its own key results and
    of its child objectives, each counting for its `weight` (1 by default): a parent with two key
    results and one child objective, all of weight 1, gives each a third. Items without data yet
    are left out of both the sum and the weights; with no data at all the progress is unknown (None).

Risk score (0 = no risk, 100 = certain miss), the sum of five explained terms
    pace        up to 35: how far progress lags the share of the period elapsed (full at 50 points behind)
    forecast    up to 30: how far the KPI engine's forecast at period end falls short (full at 30 % short)
    confidence  up to 15: the last check-in (on track 0, at risk 8, off track 15; a 1–10 score maps
                linearly, 10 → 0 and 1 → 15); no check-in yet counts 5
    freshness   up to 10: the share of key results whose data or last check-in is stale
    alerts      up to 10: 5 per open alert on the objective's KPIs (no alerts app yet, always 0)
    Levels: below 30 on track, 30–59 at risk, 60 and above off track; with neither progress nor forecast
    known, the risk is "no data" whatever the check-ins say.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")

INCREASE = "increase"
DECREASE = "decrease"


def key_result_progress(*, start: Decimal, target: Decimal, current: Decimal | None, direction: str) -> Decimal | None:
    """Share of the way from start to target (unclamped); None when there is no current value."""
    if current is None:
        return None
    if target == start:
        met = current >= target if direction == INCREASE else current <= target
        return ONE if met else ZERO
    return (Decimal(current) - start) / (target - start)


def clamp(value: Decimal, low: Decimal = ZERO, high: Decimal = ONE) -> Decimal:
    return max(low, min(high, value))


def rollup(items: Iterable[tuple[Decimal | None, int]]) -> Decimal | None:
    """Weighted mean of clamped progress over (progress, weight) pairs; items without data are skipped."""
    total = ZERO
    weights = 0
    for progress, weight in items:
        if progress is None or weight <= 0:
            continue
        total += clamp(progress) * weight
        weights += weight
    if weights == 0:
        return None
    return total / weights


def time_elapsed(*, start: date, end: date, today: date) -> Decimal:
    """Share of the period gone by at the end of `today` (0 before it starts, 1 after it ends)."""
    days = (end - start).days + 1
    done = (today - start).days + 1
    return clamp(Decimal(done) / Decimal(days))


class Level:
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


LEVEL_LABELS = {
    Level.ON_TRACK: _("On track"),
    Level.AT_RISK: _("At risk"),
    Level.OFF_TRACK: _("Off track"),
    Level.NO_DATA: _("No data"),
}

CONFIDENCE_POINTS = {"on_track": Decimal("0"), "at_risk": Decimal("8"), "off_track": Decimal("15")}
NO_CHECK_IN_POINTS = Decimal("5")
PACE_MAX, FORECAST_MAX, CONFIDENCE_MAX, FRESHNESS_MAX, ALERTS_MAX = (Decimal(n) for n in (35, 30, 15, 10, 10))
ALERT_POINTS = Decimal("5")


@dataclass(frozen=True)
class RiskFactor:
    key: str
    points: Decimal
    detail: str


@dataclass(frozen=True)
class RiskInputs:
    progress: Decimal | None  # clamped roll-up progress of the objective
    elapsed: Decimal  # share of the period gone by
    forecast_progress: Decimal | None = None  # progress the forecast at period end would give
    confidence: str | None = None  # last check-in: on_track / at_risk / off_track
    confidence_score: int | None = None  # or its 1–10 score, which wins when given
    stale_key_results: int = 0
    key_results: int = 0
    open_alerts: int = 0


@dataclass(frozen=True)
class Risk:
    score: int | None
    level: str
    factors: list[RiskFactor] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self.level])

    @property
    def explanation(self) -> str:
        """One line for the tooltip: each term and its points."""
        return " · ".join(f"{f.detail} (+{f.points.quantize(ONE)})" for f in self.factors)


def level_for(score: int | None) -> str:
    if score is None:
        return Level.NO_DATA
    if score >= 60:
        return Level.OFF_TRACK
    if score >= 30:
        return Level.AT_RISK
    return Level.ON_TRACK


def _pct(value: Decimal) -> str:
    return f"{(value * HUNDRED).quantize(ONE)} %"


def risk_score(inputs: RiskInputs) -> Risk:
    """The five terms described in the module docstring, summed and rounded to an integer score."""
    factors: list[RiskFactor] = []
    if inputs.progress is None and inputs.forecast_progress is None:
        return Risk(score=None, level=Level.NO_DATA, factors=[])

    if inputs.progress is not None:
        gap = max(ZERO, inputs.elapsed - inputs.progress)
        points = PACE_MAX * clamp(gap / Decimal("0.5"))
        factors.append(RiskFactor("pace", points, str(_("progress %(progress)s for %(elapsed)s of the period elapsed")
                                                     % {"progress": _pct(inputs.progress),
                                                        "elapsed": _pct(inputs.elapsed)})))
    if inputs.forecast_progress is not None:
        shortfall = max(ZERO, ONE - inputs.forecast_progress)
        points = FORECAST_MAX * clamp(shortfall / Decimal("0.3"))
        factors.append(RiskFactor("forecast", points, str(_("forecast at period end reaches %(share)s of the target")
                                                         % {"share": _pct(inputs.forecast_progress)})))
    if inputs.confidence_score is not None:
        points = CONFIDENCE_MAX * Decimal(10 - inputs.confidence_score) / Decimal(9)
        factors.append(RiskFactor("confidence", points, str(_("last check-in confidence %(score)s/10")
                                                           % {"score": inputs.confidence_score})))
    elif inputs.confidence:
        points = CONFIDENCE_POINTS[inputs.confidence]
        factors.append(RiskFactor("confidence", points, str(_("last check-in: %(level)s")
                                                           % {"level": LEVEL_LABELS[inputs.confidence]})))
    else:
        factors.append(RiskFactor("confidence", NO_CHECK_IN_POINTS, str(_("no check-in yet"))))
    if inputs.key_results:
        points = FRESHNESS_MAX * Decimal(inputs.stale_key_results) / Decimal(inputs.key_results)
        factors.append(RiskFactor("freshness", points, str(_("%(stale)s of %(total)s key results stale")
                                                          % {"stale": inputs.stale_key_results,
                                                             "total": inputs.key_results})))
    alert_points = min(ALERTS_MAX, ALERT_POINTS * inputs.open_alerts)
    factors.append(RiskFactor("alerts", alert_points, str(_("%(count)s open alerts") % {"count": inputs.open_alerts})))

    total = sum((f.points for f in factors), ZERO)
    score = int(min(HUNDRED, total).quantize(ONE))
    return Risk(score=score, level=level_for(score), factors=factors)
