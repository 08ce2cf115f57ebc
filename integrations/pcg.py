"""The PCG-equivalent classes a provider's account is mapped onto, so the SIG catalogue reads it.

The KPI engine reads ledger lines by PCG prefix (`LedgerLine.account_number`, "70", "607", "64"…).
Pennylane and French Sage ledgers carry PCG numbers already; QuickBooks and Xero carry their own
account types and codes. Each such connector names a default PCG class per provider classification
(its `PCG_DEFAULTS`), the CFO may re-map any account on the connection's accounts page, and the sync
writes the chosen class on every line of the account (`account_number`), so the engine needs no
special case. An account mapped to nothing leaves its lines with an empty `account_number`: they
count in no KPI, and the pages that read the ledger say how much is left out.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _l

# The classes offered on the mapping page: a number the catalogue's prefixes read, and its name.
PCG_CLASSES: tuple[tuple[str, str], ...] = (
    ("701", _l("701 Sales of finished goods")),
    ("706", _l("706 Services sold")),
    ("707", _l("707 Sales of goods for resale")),
    ("708", _l("708 Income from ancillary activities")),
    ("709", _l("709 Rebates granted")),
    ("74", _l("74 Operating grants")),
    ("75", _l("75 Other operating income")),
    ("76", _l("76 Financial income")),
    ("77", _l("77 Exceptional income")),
    ("601", _l("601 Purchases of raw materials")),
    ("607", _l("607 Purchases of goods for resale")),
    ("604", _l("604 Purchased services and subcontracting")),
    ("606", _l("606 Non-stocked supplies")),
    ("613", _l("613 Rent")),
    ("616", _l("616 Insurance")),
    ("62", _l("62 Other external charges")),
    ("623", _l("623 Advertising")),
    ("625", _l("625 Travel and entertainment")),
    ("626", _l("626 Postage and telecommunications")),
    ("627", _l("627 Bank charges")),
    ("63", _l("63 Taxes other than income tax")),
    ("641", _l("641 Salaries")),
    ("645", _l("645 Social security charges")),
    ("65", _l("65 Other operating charges")),
    ("66", _l("66 Financial charges")),
    ("67", _l("67 Exceptional charges")),
    ("681", _l("681 Depreciation and provisions")),
    ("695", _l("695 Corporate income tax")),
    ("512", _l("512 Bank")),
    ("530", _l("530 Cash")),
    ("411", _l("411 Customers (receivables)")),
    ("401", _l("401 Suppliers (payables)")),
    ("421", _l("421 Staff: wages payable")),
    ("431", _l("431 Social security bodies")),
    ("445", _l("445 VAT")),
    ("444", _l("444 Corporate tax payable")),
    ("455", _l("455 Shareholder current accounts")),
    ("164", _l("164 Bank loans")),
    ("101", _l("101 Share capital")),
    ("106", _l("106 Reserves")),
    ("120", _l("120 Profit or loss for the year")),
    ("21", _l("21 Tangible fixed assets")),
    ("20", _l("20 Intangible fixed assets")),
    ("28", _l("28 Accumulated depreciation")),
    ("31", _l("31 Stocks of raw materials")),
    ("37", _l("37 Stocks of goods")),
    ("47", _l("47 Suspense accounts")),
)
PCG_NUMBERS = frozenset(number for number, _label in PCG_CLASSES)


def pcg_label(number: str) -> str:
    return str(dict(PCG_CLASSES).get(number, number))


def pcg_default(table: dict[str, str], *classification: str) -> str:
    """The most specific default of a provider's table: ("Expense", "Rent") tries "Expense/Rent", then
    "Expense"; "" when the table has neither (the account stays unmapped until the CFO maps it)."""
    parts = [c for c in classification if c]
    for end in range(len(parts), 0, -1):
        found = table.get("/".join(parts[:end]))
        if found:
            return found
    return ""
