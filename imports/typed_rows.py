"""The records a validation typed, kept on the run, so the confirmed write does not read and type the file again.

Compact and plain data (never pickle: stored bytes must not be code): zlib-compressed JSON lines, the
field names once, then one line per record with its external id, one letter per value naming its type,
and the values as JSON writes them (dates in ISO 8601 with their offset, decimals as text).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from integrations.base import Record


def _same(value: Any) -> Any:
    return value


_ENCODE: dict[type, tuple[str, Callable[[Any], Any]]] = {
    type(None): ("n", _same), str: ("s", _same), int: ("i", _same), bool: ("b", _same),
    Decimal: ("d", str), date: ("D", date.isoformat), datetime: ("T", datetime.isoformat),
}
_DECODE: dict[str, Callable[[Any], Any]] = {
    "n": _same, "s": _same, "i": _same, "b": _same,
    "d": Decimal, "D": date.fromisoformat, "T": datetime.fromisoformat,
}


class TypedRowsWriter:
    """Collects records as the validation types them; `finish()` gives the bytes, or b"" when a record did
    not fit (a type the codec does not know, other field names): the write then validates the file again."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(1)
        self._parts: list[bytes] = []
        self._fields: list[str] | None = None
        self.usable = True

    def add(self, record: Record) -> None:
        if not self.usable:
            return
        names = list(record.fields)
        if self._fields is None:
            self._fields = names
            self._line(names)
        elif names != self._fields:
            self.usable = False
            return
        codes, values = [], []
        for value in record.fields.values():
            encoder = _ENCODE.get(type(value))
            if encoder is None:
                self.usable = False
                return
            codes.append(encoder[0])
            values.append(encoder[1](value))
        self._line([record.external_id, "".join(codes), *values])

    def finish(self) -> bytes:
        if not self.usable or self._fields is None:
            return b""
        return b"".join([*self._parts, self._compressor.flush()])

    def _line(self, items: list) -> None:
        self._parts.append(self._compressor.compress(json.dumps(items, separators=(",", ":")).encode() + b"\n"))


def typed_rows_read(data: bytes, *, model: str) -> list[Record]:
    """The records `TypedRowsWriter` kept, typed as the validation typed them."""
    lines = zlib.decompress(data).splitlines()
    names = json.loads(lines[0])
    records = []
    for line in lines[1:]:
        external_id, codes, *values = json.loads(line)
        records.append(Record(model=model, external_id=external_id,
                              fields={name: _DECODE[code](value) for name, code, value in zip(names, codes, values)}))
    return records
