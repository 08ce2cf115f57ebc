"""Abbreviated months (heatmap tables, report charts, the budget grid, a record's provenance) are told apart
in French as French readers write them: "juin 2026" and "juil. 2026", never "Jui 2026" for both."""

from datetime import UTC, date, datetime

from django.utils import translation

from budgets.templatetags.budgets_format import month as budget_month
from integrations.models import Provenance
from kpis.periods import period_containing
from kpis.presenters.common import month_label

FRENCH = ["janv. 2026", "févr. 2026", "mars 2026", "avr. 2026", "mai 2026", "juin 2026", "juil. 2026", "août 2026",
          "sept. 2026", "oct. 2026", "nov. 2026", "déc. 2026"]
ENGLISH = ["Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026", "Jun 2026", "Jul 2026", "Aug 2026",
           "Sep 2026", "Oct 2026", "Nov 2026", "Dec 2026"]


def _short_months(language: str) -> list[str]:
    with translation.override(language):
        return [month_label(period_containing(date(2026, m, 1), "month", 1), short=True) for m in range(1, 13)]


def test_every_french_month_has_its_own_abbreviation():
    assert _short_months("fr") == FRENCH


def test_english_months_keep_their_three_letters():
    assert _short_months("en") == ENGLISH


def test_the_budget_grid_heads_its_columns_the_same_way():
    with translation.override("fr"):
        assert [budget_month(date(2026, m, 1)) for m in (6, 7)] == ["juin 2026", "juil. 2026"]


def test_a_provenance_dated_in_july_reads_juillet_in_french():
    provenance = Provenance(kind=Provenance.Kind.API, label="x", at=datetime(2026, 7, 3, 12, tzinfo=UTC))
    with translation.override("fr"):
        assert provenance.describe().endswith(", 3 juil. 2026")
    with translation.override("en"):
        assert provenance.describe().endswith(", 3 Jul 2026")
