"""The registry of digest kinds: one module per role's report (STYLE.md §1, shaped like integrations/)."""

from __future__ import annotations

from django.utils.module_loading import import_string

from reports.kinds.base import DigestKind

KINDS: dict[str, str] = {
    "ceo": "reports.kinds.ceo.KIND",
    "cfo": "reports.kinds.cfo.KIND",
    "coo": "reports.kinds.coo.KIND",
    "cro": "reports.kinds.cro.KIND",
    "cmo": "reports.kinds.cmo.KIND",
    "cxo": "reports.kinds.cxo.KIND",
}


def digest_kind(key: str) -> DigestKind:
    return import_string(KINDS[key])
