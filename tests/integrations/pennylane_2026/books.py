"""A hand-checkable Pennylane company for the sales and receivables figures (amounts incl. VAT 20 %).

Synced on 15 April 2026. Every invoice is to customer C:

| invoice | issued | due | what happened | still due 28 Feb | still due 31 Mar |
|---|---|---|---|---|---|
| A  1 200 | 2 Mar  | 1 Apr  | paid 20 Mar                                   | —     | 0     |
| A2 1 200 | 25 Mar | 24 Apr | unpaid                                        | —     | 1 200 |
| B  2 400 | 10 Feb | 12 Mar | 1 000 paid 5 Mar (partial)                    | 2 400 | 1 400 |
| C    600 | 1 Feb  | 3 Mar  | paid 31 Mar, recorded by Pennylane 10 Apr     | 600   | 0     |
| D 10 800 | 1 Feb  | 3 Mar  | draft                                         | —     | —     |
| E  3 600 | 5 Mar  | 4 Apr  | cancelled 8 Mar (credit note −3 600)          | —     | —     |
| F  1 800 | 20 Jan | 19 Feb | credit note −600 on 10 Mar, rest unpaid       | 1 800 | 1 200 |
| G  4 800 | 10 Mar | 9 Apr  | archived                                      | —     | —     |

And one supplier invoice, S 600 from supplier S, issued 2 Mar, paid 12 Mar by a matched bank transfer, edited
in Pennylane on 9 Apr (its `updated_at`).
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from integrations.fakes.scenario import Book, _Builder

SYNCED_ON = date(2026, 4, 15)


def receivables_book(company_id: int) -> Book:
    book = Book(company_id=company_id, name="Receivables SAS", key="test", today=SYNCED_ON)
    bld = _Builder(book, random.Random(1))
    book.builder, book.revenue_account = bld, "706000"
    c = bld.customer("Client C", individual=False, at=date(2025, 12, 1))

    def invoice(day, excl, **kw):
        return bld.customer_invoice(customer=c, d=day, excl=Decimal(excl), revenue_account="706000", terms=30,
                                    pay_delay=None, **kw)

    a = invoice(date(2026, 3, 2), 1000)
    bld.pay(a, Decimal(1200), date(2026, 3, 20))
    invoice(date(2026, 3, 25), 1000)
    b = invoice(date(2026, 2, 10), 2000)
    bld.pay(b, Decimal(1000), date(2026, 3, 5))
    c_ = invoice(date(2026, 2, 1), 500)
    bld.pay(c_, Decimal(600), date(2026, 3, 31), recorded=date(2026, 4, 10))
    invoice(date(2026, 2, 1), 9000, state="draft")
    e = invoice(date(2026, 3, 5), 3000)
    bld.cancel(e, date(2026, 3, 8))
    f = invoice(date(2026, 1, 20), 1500)
    bld.credit(f, Decimal(500), date(2026, 3, 10))
    invoice(date(2026, 3, 10), 4000, state="archived")
    s = bld.supplier("Fournisseur S", date(2025, 12, 1))
    bld.supplier_invoice(supplier=s, d=date(2026, 3, 2), excl=Decimal(500), account="607000", pay_delay=10,
                         edited_on=date(2026, 4, 9))
    return book
