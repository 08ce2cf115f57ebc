"""Charts drawn on the server as SVG with matplotlib, for the PDF (e-mail clients strip SVG).

matplotlib's object API (`Figure`, no pyplot) keeps no global state, so workers can draw in parallel;
text stays text (`svg.fonttype: none`), in DejaVu Sans, so the PDF's words can be searched and extracted.
"""

from __future__ import annotations

import io
from decimal import Decimal

import matplotlib

matplotlib.use("svg")  # before anything imports pyplot: no display, no GUI toolkit
from matplotlib import rcParams  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

rcParams["svg.fonttype"] = "none"
rcParams["font.family"] = "DejaVu Sans"


def trend_svg(*, labels: list[str], values: list[Decimal | None], targets: list[Decimal | None],
              last_year: list[Decimal | None], formatter, colour: str, accent: str,
              legend: tuple[str, str, str]) -> str:
    """A monthly trend (value, target dashed, last year dotted) as an SVG document."""
    fig = Figure(figsize=(6.4, 2.4), dpi=100)
    ax = fig.add_subplot()
    xs = list(range(len(labels)))

    def series(points):
        return [float(v) if v is not None else float("nan") for v in points]

    ax.plot(xs, series(values), color=colour, linewidth=2, marker="o", markersize=3, label=legend[0])
    if any(t is not None for t in targets):
        ax.plot(xs, series(targets), color=accent, linewidth=1.5, linestyle="--", label=legend[1])
    if any(v is not None for v in last_year):
        ax.plot(xs, series(last_year), color="#8a8f98", linewidth=1, linestyle=":", label=legend[2])
    ax.set_xticks(xs, labels, fontsize=7)
    ax.yaxis.set_major_locator(MaxNLocator(4))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: formatter(Decimal(str(y)))))
    ax.tick_params(axis="y", labelsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#e5e7eb", linewidth=0.6)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg")
    return out.getvalue()
