"""The driver tree says what each metric adds up in the reader's language; the record fields and filters
keep the names they have in the records ("somme de amount_excl_tax sur les factures, par issue_date")."""

import pytest
from django.utils import translation

from kpis.engine.analysis import describe_metric
from kpis.models import Metric

pytestmark = pytest.mark.django_db


def _describe(slug: str, language: str, **fields) -> str:
    defaults = {
        "revenue_invoices": {"record_type": "invoice", "aggregation": "sum", "value": "amount_excl_tax",
                             "date_field": "issue_date", "filters": {"where": {"kind": "customer"}}},
        "receivables_411": {"record_type": "ledgerline", "aggregation": "balance", "value": "debit - credit",
                            "date_field": "date", "filters": {"accounts": {"include": ["411"]}}},
    }[slug]
    metric = Metric(slug=slug, name=slug, **{**defaults, **fields})
    with translation.override(language):
        return describe_metric(metric)


def test_invoices_in_french():
    assert _describe("revenue_invoices", "fr") == (
        "somme de amount_excl_tax sur les factures, par issue_date\u202f; kind=customer")


def test_a_ledger_balance_in_french():
    assert _describe("receivables_411", "fr", window_months=3) == (
        "solde en fin de période de debit - credit sur les écritures comptables, par date\u202f; comptes 411"
        "\u202f; sur 3 mois glissants")


def test_in_english():
    assert _describe("receivables_411", "en", window_months=3) == (
        "balance at period end of debit - credit over ledger lines by date; accounts 411; trailing 3 months")
