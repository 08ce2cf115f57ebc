"""A shared check for page owners: a page renders from materialised values and reads no raw canonical record.

    with no_raw_record_queries():
        client.get(url("kpis:catalogue", org_slug="acme"))

fails naming each query that touched a canonical record table (ledger lines, invoices, orders, deals…: every
`integrations.models.CanonicalRecord`). Source records loaded later by HTMX are separate requests.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext


def raw_record_tables() -> set[str]:
    from integrations.models import CanonicalRecord

    return {m._meta.db_table for m in apps.get_models() if issubclass(m, CanonicalRecord)}


def raw_record_queries(queries) -> list[str]:
    tables = raw_record_tables()
    return [q["sql"] for q in queries if any(f'"{t}"' in q["sql"] for t in tables)]


@contextmanager
def no_raw_record_queries():
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    offending = raw_record_queries(ctx.captured_queries)
    assert not offending, f"{len(offending)} queries read raw records:\n" + "\n".join(q[:300] for q in offending)
