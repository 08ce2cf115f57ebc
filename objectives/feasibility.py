"""Feasibility of a financial target and the targets it implies for its drivers. Pure arithmetic, no database.

The KPI engine's driver tree says how a KPI is built from others. Two shapes matter here:

- a **product** (revenue = orders × average basket): moving one driver alone by the factor
  target ÷ baseline reaches the target, so each driver's needed value is `current × target ÷ baseline`;
- a **sum** (revenue = new business + recurring): one driver alone must absorb the whole gap,
  so its needed value is `current + (target − baseline)`.

`baseline` is what the period yields at current run-rates (the engine's forecast at period end).
For a volume driver (orders), the needed weekly rate is compared with the measured processing
capacity: the best week of the last 3 months, or the operational series `order_capacity_per_week`
when the company uploads one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

ZERO = Decimal("0")
ONE = Decimal("1")

PRODUCT = "product"
SUM = "sum"

# Drivers counted in units per week and checked against processing capacity.
VOLUME_DRIVERS = {"orders"}

REACHABLE = "reachable"  # the current run-rate already gets there
ABSORBABLE = "absorbable"  # needs drivers to move, within measured capacity
BEYOND_CAPACITY = "beyond_capacity"  # the volume needed exceeds what operations handled
UNKNOWN = "unknown"  # no baseline to reason from


@dataclass(frozen=True)
class Driver:
    slug: str
    name: str
    current: Decimal | None  # its value over the period at current run-rates (forecast)
    is_volume: bool = False
    unit: str = ""


@dataclass(frozen=True)
class DriverMove:
    slug: str
    name: str
    current: Decimal
    needed: Decimal
    is_volume: bool
    weeks: Decimal
    unit: str = ""

    @property
    def delta(self) -> Decimal:
        return self.needed - self.current

    @property
    def change_pct(self) -> Decimal | None:
        return None if self.current == 0 else self.delta / self.current * 100

    @property
    def current_per_week(self) -> Decimal:
        return self.current / self.weeks

    @property
    def needed_per_week(self) -> Decimal:
        return self.needed / self.weeks

    @property
    def delta_per_week(self) -> Decimal:
        return self.delta / self.weeks


@dataclass(frozen=True)
class Feasibility:
    target: Decimal
    baseline: Decimal | None
    weeks: Decimal
    verdict: str
    moves: list[DriverMove] = field(default_factory=list)
    capacity_per_week: Decimal | None = None
    capacity_source: str = ""

    @property
    def gap(self) -> Decimal | None:
        return None if self.baseline is None else self.target - self.baseline

    @property
    def volume_move(self) -> DriverMove | None:
        return next((m for m in self.moves if m.is_volume), None)

    @property
    def headroom_per_week(self) -> Decimal | None:
        move = self.volume_move
        if move is None or self.capacity_per_week is None:
            return None
        return self.capacity_per_week - move.needed_per_week

    @property
    def sentences(self) -> list[str]:
        return feasibility_sentences(self)


def weeks_between(days: int) -> Decimal:
    return Decimal(days) / Decimal(7)


def feasibility_check(*, target: Decimal, baseline: Decimal | None, shape: str, drivers: list[Driver],
                      days: int, capacity_per_week: Decimal | None = None, capacity_source: str = "") -> Feasibility:
    """Whether `target` is reachable over a period of `days`, and how far each driver must move on its own."""
    weeks = weeks_between(days)
    if baseline is None or baseline <= 0:
        return Feasibility(target=target, baseline=baseline, weeks=weeks, verdict=UNKNOWN,
                           capacity_per_week=capacity_per_week, capacity_source=capacity_source)
    moves = []
    for driver in drivers:
        if driver.current is None:
            continue
        if shape == PRODUCT:
            needed = driver.current * target / baseline
        else:
            needed = driver.current + (target - baseline)
        moves.append(DriverMove(slug=driver.slug, name=driver.name, current=driver.current, needed=needed,
                                is_volume=driver.is_volume, weeks=weeks, unit=driver.unit))
    if target <= baseline:
        verdict = REACHABLE
    else:
        volume = next((m for m in moves if m.is_volume), None)
        if volume is not None and capacity_per_week is not None and volume.needed_per_week > capacity_per_week:
            verdict = BEYOND_CAPACITY
        else:
            verdict = ABSORBABLE
    return Feasibility(target=target, baseline=baseline, weeks=weeks, verdict=verdict, moves=moves,
                       capacity_per_week=capacity_per_week, capacity_source=capacity_source)


def _whole(value: Decimal) -> str:
    """A count people read: rounded up, since half an order per week still needs handling."""
    return number_format(value.quantize(ONE, rounding=ROUND_CEILING), 0, force_grouping=True)


def _money(value: Decimal) -> str:
    if abs(value) >= 1000:
        return f"{number_format((value / 1000).quantize(ONE), 0, force_grouping=True)} K€"
    return f"{number_format(value.quantize(ONE), 0, force_grouping=True)} €"


def feasibility_sentences(f: Feasibility) -> list[str]:
    """The check in plain words, e.g. "+200 K€ needs +38 orders/week at the current average basket"."""
    if f.verdict == UNKNOWN:
        return [_("Not enough data yet: the KPI engine has no forecast for this period.")]
    lines = []
    if f.verdict == REACHABLE:
        lines.append(_("At current run-rates the period ends at %(baseline)s, at or above the target of %(target)s.")
                     % {"baseline": _money(f.baseline), "target": _money(f.target)})
        return lines
    lines.append(_("%(gap)s more than the current run-rate (%(baseline)s) is needed to reach %(target)s.")
                 % {"gap": "+" + _money(f.gap), "baseline": _money(f.baseline), "target": _money(f.target)})
    others = [m for m in f.moves if not m.is_volume]
    for move in f.moves:
        if move.is_volume:
            held = ", ".join(m.name for m in others) or _("the other drivers")
            lines.append(_("On %(driver)s alone: +%(delta)s/week (from %(current)s to %(needed)s a week) "
                           "at the current %(held)s.")
                         % {"driver": move.name, "delta": _whole(move.delta_per_week),
                            "current": _whole(move.current_per_week), "needed": _whole(move.needed_per_week),
                            "held": held})
        else:
            lines.append(_("On %(driver)s alone: from %(current)s to %(needed)s (%(pct)s %%).")
                         % {"driver": move.name, "current": _fmt(move.current, move.slug),
                            "needed": _fmt(move.needed, move.slug),
                            "pct": f"{move.change_pct:+.0f}" if move.change_pct is not None else "—"})
    volume = f.volume_move
    if volume is not None and f.capacity_per_week is not None:
        if f.verdict == BEYOND_CAPACITY:
            lines.append(_("Operations cannot absorb it as things stand: order processing handled %(cap)s/week at "
                           "most (%(source)s), %(short)s/week short of the %(needed)s/week needed.")
                         % {"cap": _whole(f.capacity_per_week), "source": f.capacity_source,
                            "short": _whole(-f.headroom_per_week), "needed": _whole(volume.needed_per_week)})
        else:
            lines.append(_("Operations can absorb it: order processing handled %(cap)s/week at most (%(source)s), "
                           "%(room)s/week above the %(needed)s/week needed.")
                         % {"cap": _whole(f.capacity_per_week), "source": f.capacity_source,
                            "room": _whole(f.headroom_per_week), "needed": _whole(volume.needed_per_week)})
    elif volume is not None:
        lines.append(_("No measured processing capacity yet: upload the series order_capacity_per_week "
                       "or sync orders with their shipping dates."))
    return lines


def _fmt(value: Decimal, slug: str) -> str:
    if value >= 1000:
        return _money(value)
    return number_format(value.quantize(Decimal("0.01")), 2, force_grouping=True)
