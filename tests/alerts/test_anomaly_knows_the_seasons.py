"""The anomaly rule: a December that peaks as every December does is normal; a month out of line is not."""

from datetime import date

from alerts.models import Alert
from alerts.rules.anomaly import is_anomalous
from kpis.periods import add_months
from tests.alerts.helpers import evaluate, make_kpi, make_rule, set_months

# Two years of a shop's monthly revenue: flat around 100 K€, Christmas triples it, +5 % a year.
SEASON = [100, 98, 103, 101, 99, 102, 97, 100, 104, 110, 150, 300]


def _series(years: int, *, last_december: float | None = None) -> dict[date, float]:
    values = {}
    start = date(2026 - years + 1, 1, 1)
    for y in range(years):
        for m, v in enumerate(SEASON):
            values[add_months(start, y * 12 + m)] = v * 1.05 ** y
    if last_december is not None:
        values[date(2026, 12, 1)] = last_december
    return values


def test_a_normal_december_does_not_fire_with_two_years_of_history():
    verdict = is_anomalous(_series(3), date(2026, 12, 1), k=3)
    assert verdict is not None and verdict[0] is False


def test_a_normal_december_does_not_fire_with_one_year_of_history():
    verdict = is_anomalous(_series(2), date(2026, 12, 1), k=3)
    assert verdict is not None and verdict[0] is False


def test_a_december_without_its_peak_fires():
    verdict = is_anomalous(_series(3, last_december=110), date(2026, 12, 1), k=3)
    assert verdict is not None and verdict[0] is True


def test_without_seasonal_history_a_peak_is_an_anomaly():
    values = {add_months(date(2026, 1, 1), i): v for i, v in enumerate(SEASON)}  # January to December only
    assert is_anomalous(values, date(2026, 12, 1), k=3)[0] is True


def test_a_short_history_says_nothing():
    values = {add_months(date(2026, 8, 1), i): v for i, v in enumerate([100, 101, 99, 500])}
    assert is_anomalous(values, date(2026, 11, 1), k=3) is None


def test_the_rule_raises_nothing_on_a_normal_december_and_flags_a_constructed_dip(acme):
    kpi = make_kpi(acme, "revenue")
    make_rule(acme, "anomaly", kpis=["revenue"], k=3)
    december = date(2026, 12, 1)
    series = _series(3)
    set_months(acme, kpi, [series[m] * 1000 for m in sorted(series)], last=december)

    assert evaluate(acme, today=date(2027, 1, 10)).opened == []

    set_months(acme, kpi, [120000], last=december)  # Christmas never came
    evaluate(acme, today=date(2027, 1, 10))
    alert = Alert.objects.for_org(acme).get()
    assert alert.kind == "anomaly" and alert.params["period"] == "2026-12-01"
