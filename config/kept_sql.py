"""Querysets compiled once per their inputs: the SQL Django builds for a page's queries, kept in this process.

Building a queryset and compiling it (filters, joins and annotations into SQL) costs more Python than running
the query and reading its rows: on a role dashboard it was a third of the server time. For a query a page makes
on every request from the same inputs (the organization, the periods, a role's KPIs…),
`kept_query(key, build)` compiles `build()` the first time a key is seen and, on later calls, runs the same SQL
with the same parameters and reads its rows exactly as the queryset would (model instances with their
select_related objects and annotations, named rows). Only the SQL text is kept: every call runs it, so what a
page reads is always the database's rows of that moment (no row is kept, Redis plays no part, another worker's
change is seen at once).

`key` names every input `build` reads, the organization first: two calls with equal keys must build the same
SQL with the same parameters. With `settings.KEPT_SQL_CHECK` (on in the tests) every call builds the queryset
again and fails when its SQL or parameters differ from the kept ones, so a key that misses an input fails the
test that changes that input.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

KEPT = 1024  # compiled queries; least recently used first out
_KEPT: OrderedDict[Hashable, _Compiled] = OrderedDict()
_LOCK = threading.Lock()


class _Compiled:
    """One queryset's SQL and parameters with what its compiler worked out to read the rows (never evaluated)."""

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            self.sql, self.params = compiler.as_sql()
        except EmptyResultSet:  # an empty IN list: Django answers no row without asking the database
            self.sql, self.params = None, ()
        self.state = {name: getattr(compiler, name, None) for name in
                      ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")}

    def rows(self) -> list:
        if self.sql is None:
            return []
        template = self.queryset
        compiler = template.query.get_compiler(using=template.db)  # this thread's connection
        compiler.__dict__.update(self.state)
        sql, params = self.sql, self.params
        compiler.as_sql = lambda *_a, **_k: (sql, params)
        queryset = QuerySet.__new__(type(template))
        queryset.__dict__.update(template.__dict__)
        queryset._result_cache, queryset._prefetch_done = None, False
        queryset._query = _CompiledQuery(template.query, compiler)  # not `.query =`: its setter picks an iterable
        return list(queryset)


class _CompiledQuery:
    """The queryset's query, handing its iterable the compiler that already holds the SQL."""

    def __init__(self, query, compiler):
        self._query, self._compiler = query, compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler

    def __getattr__(self, name):
        return getattr(self._query, name)


def kept_query(key: Hashable, build: Callable[[], QuerySet]) -> list:
    """`list(build())`, with the SQL compiled once per `key` (which names every input of `build`)."""
    with _LOCK:
        compiled = _KEPT.get(key)
        if compiled is not None:
            _KEPT.move_to_end(key)
    if compiled is None:
        compiled = _Compiled(build())
        with _LOCK:
            _KEPT[key] = compiled
            while len(_KEPT) > KEPT:
                _KEPT.popitem(last=False)
    elif getattr(settings, "KEPT_SQL_CHECK", False):
        fresh = _Compiled(build())
        assert (fresh.sql, _comparable(fresh.params)) == (compiled.sql, _comparable(compiled.params)), (
            f"kept_query: the key {key!r} builds another query than the one kept: the key misses an input\n"
            f"kept:  {compiled.sql} {compiled.params}\nbuilt: {fresh.sql} {fresh.params}")
    return compiled.rows()


def _comparable(params) -> tuple:
    """Parameters as values that compare: a JSON parameter is a wrapper (psycopg's Jsonb) without equality."""
    return tuple((type(p), p.obj) if hasattr(p, "obj") else p for p in params)
