"""Records pushed by machines through the API: the same columns, rules and natural keys as the imports.

A batch is a JSON list of objects whose keys are the record type's column names. It is validated
whole; any bad item refuses the batch with every error (`index`, `field`, `code`, `message`) and
nothing is written; a clean batch is written in one transaction, idempotent on the natural key.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from accounts.models import Organization
from imports.files import Table
from imports.messages import row_message
from imports.registry import kind_class
from imports.validation import rows_validate
from integrations.models import Provenance, Source
from integrations.services import provenance_create, records_upsert


@dataclass
class PushResult:
    errors: list[dict]
    counts: dict[str, int]


class BatchRefused(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def records_push(*, org: Organization, kind: str, items: list, by=None) -> PushResult:
    """Validate a batch and write it all, or report every error and write nothing.

    `by` is who pushed: `request.membership`, an API key's principal or a member's session; the rows
    written carry it as their provenance ("pushed by API key 'ERP'")."""
    cls = kind_class(kind)
    if not isinstance(items, list):
        raise BatchRefused("The body must be a JSON list of records.")
    if not items:
        raise BatchRefused("The list is empty.")
    if len(items) > settings.API_PUSH_MAX_BATCH:
        raise BatchRefused(f"At most {settings.API_PUSH_MAX_BATCH} records per request.")
    names = [c.name for c in cls.columns]
    errors: list[dict] = []
    rows = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append({"index": index, "field": "", "code": "not_an_object", "message": "Each record is a JSON object."})
            continue
        unknown = sorted(set(item) - set(names))
        for field in unknown:
            errors.append({"index": index, "field": field, "code": "unknown_field",
                           "message": f"Unknown field; expected one of: {', '.join(names)}."})
        rows.append((index, [item.get(name) for name in names]))
    table = Table(kind="json", header=names, rows=iter(rows))
    verdict = rows_validate(org, cls, table, {name: name for name in names}, max_errors=len(items) * len(names))
    errors += [{"index": e.row, "field": e.column, "code": e.code, "message": row_message(e.as_json())}
               for e in verdict.errors]
    if errors:
        return PushResult(errors=sorted(errors, key=lambda e: (e["index"], e["field"])), counts={})
    counts = records_upsert(org=org, source=Source.API, records=verdict.records, provenance=_provenance(org, by))
    return PushResult(errors=[], counts={k: v.get(cls.model, 0) for k, v in counts.items() if k != "rejected"})


def _provenance(org: Organization, by) -> Provenance:
    from accounts.api_keys import ApiKeyPrincipal

    if isinstance(by, ApiKeyPrincipal):
        return provenance_create(org=org, kind=Provenance.Kind.API, label=by.key.name, api_key=by.key)
    name = by.user.display_name if by is not None and by.user_id else ""
    return provenance_create(org=org, kind=Provenance.Kind.API, label=name, by=by)


def record_as_item(kind: str, row, *, can) -> dict:
    """A stored record in the shape it is pushed (foreign keys by their number or name), without the
    columns the reader may not see (`can` is `membership.can`)."""
    item = {}
    for column in kind_class(kind).readable_columns(can):
        value = getattr(row, column.name, None)
        if hasattr(value, "_meta"):
            value = getattr(value, "number", None) or getattr(value, "name", None)
        item[column.name] = value
    return item
