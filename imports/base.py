"""What every import kind declares: its columns, its natural key, and how a valid row becomes a record.

A kind is one module under `imports/kinds/` (orders, returns, …) registered in `imports/registry.py`,
as connectors are under `integrations/providers/`. It never touches the database but through
`references(org)`, which loads, once per file, the rows its lookups need (customers by name…).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.functional import Promise

from imports.values import CellError


@dataclass(frozen=True)
class Column:
    name: str
    label: Promise
    parse: Callable[[Any], Any]
    required: bool = False
    aliases: tuple[str, ...] = ()  # other header names (French and English) proposed for this column
    example: str = ""
    help: Promise | str = ""
    # A figure only some roles read (a cost): the capability the catalogue's metrics guard it with.
    # Lists of stored records leave the column out for a reader without it.
    capability: str = ""


@dataclass
class RowError:
    row: int  # row number in the file, the header being row 1
    column: str  # the column's name ("" for the whole row)
    value: str
    code: str
    params: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value[:200], "code": self.code,
                "params": self.params}


class Lookup:
    """Rows of the organization a file's cells name, loaded once per file. It remembers what it found, so a
    confirmed import can check that a fresh lookup still finds the same rows (none deleted, none renamed)
    and write what the validation typed without typing it again."""

    def __init__(self) -> None:
        self.by_key: dict[str, int] = {}
        self.found: dict[str, int] = {}

    def _find(self, key: str) -> int | None:
        pk = self.by_key.get(key)
        if pk is not None:
            self.found[key] = pk
        return pk

    def still_finds(self, found: dict[str, int]) -> bool:
        return all(self.by_key.get(key) == pk for key, pk in found.items())


class ImportKind:
    key: ClassVar[str]
    label: ClassVar[Promise]
    model: ClassVar[str]  # canonical model name, as integrations.services.CANONICAL_MODELS keys it
    columns: ClassVar[tuple[Column, ...]]
    natural_key: ClassVar[tuple[str, ...]]  # columns whose values identify a row: re-imports update it
    description: ClassVar[Promise | str] = ""
    capability: ClassVar[str] = "imports.manage"  # who may import it, and read its runs' previews
    pushable: ClassVar[bool] = True  # served by the push API (`POST records/<key>/`)
    # For kinds whose rows hold many figures (operational series): the series only some roles read.
    guarded_series: ClassVar[dict[str, str]] = {}

    def references(self, org) -> None:
        """Load what `to_fields` looks up (called once per file, before the rows)."""

    def lookups_found(self) -> dict[str, dict[str, int]]:
        """What this instance's lookups found while it typed a file, by lookup (`customers`: name → id)."""
        return {name: dict(value.found) for name, value in vars(self).items() if isinstance(value, Lookup)}

    def lookups_still_find(self, found: dict[str, dict[str, int]]) -> bool:
        """Whether these freshly loaded lookups (`references` called) find the rows a validation found."""
        mine = {name: value for name, value in vars(self).items() if isinstance(value, Lookup)}
        return set(found) <= set(mine) and all(mine[name].still_finds(keys) for name, keys in found.items())

    def to_fields(self, values: dict[str, Any]) -> dict[str, Any]:
        """Model field values from one row's typed values; raise RowFieldError for a business rule."""
        raise NotImplementedError

    def external_id(self, values: dict[str, Any]) -> str:
        parts = [str(values.get(name) or "") for name in self.natural_key]
        return "|".join(parts)[:120]

    @classmethod
    def write(cls, *, org, records: list, by, provenance=None,
              on_progress: Callable[[int], None] | None = None) -> dict[str, dict[str, int]]:
        """Write the validated records in the caller's transaction; counts by kind and record type. Canonical
        records go through the integrations upsert, marked with the import's `provenance`, `on_progress`
        hearing the rows written so far; a kind kept by another app (budgets) overrides this."""
        from django.conf import settings

        from integrations.models import Source
        from integrations.services import records_upsert

        return records_upsert(org=org, source=Source.UPLOAD, records=records, provenance=provenance, checked=True,
                              chunk=settings.IMPORTS_WRITE_CHUNK, on_progress=on_progress)

    @classmethod
    def readable_columns(cls, can: Callable[[str], bool]) -> tuple[Column, ...]:
        """The columns a reader may see (`can` is `membership.can`): costs only for those who read costs."""
        return tuple(c for c in cls.columns if not c.capability or can(c.capability))

    @classmethod
    def readable_rows(cls, queryset, can: Callable[[str], bool]):
        """Stored rows narrowed to those the reader may see: no guarded series without its capability."""
        hidden = [series for series, capability in cls.guarded_series.items() if not can(capability)]
        return queryset.exclude(series__in=hidden) if hidden else queryset

    @classmethod
    def column(cls, name: str) -> Column:
        return next(c for c in cls.columns if c.name == name)


class RowFieldError(CellError):
    """A business rule refused a value (unknown customer…); `column` says which."""

    def __init__(self, column: str, code: str, **params):
        super().__init__(code, **params)
        self.column = column


def normalise_header(text: str) -> str:
    """`Date de commande` → `date_de_commande`; `Placed at (UTC)` → `placed_at_utc`."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")
