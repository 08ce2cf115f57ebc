"""The integrations tables as files (`?export=csv|xlsx`, accounts/exports.py): the records browser and the
sync runs, with the columns the pages show, numbers and dates typed."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from accounts.models import Organization
from integrations import selectors
from integrations.models import Connection

EXPORT_MAX_ROWS = 100_000  # the import limit: a table a spreadsheet opens whole


def _raw(record, attribute: str):
    """A browser column's value as data (the page formats the same value for reading)."""
    if attribute == "party":
        party = record.customer or record.supplier
        return party.name if party else ""
    value = getattr(record, attribute, "")
    value = value() if callable(value) else value
    if hasattr(value, "_meta"):  # a related record: its name
        return getattr(value, "name", None) or getattr(value, "number", None) or str(value)
    return value


def records_table(org: Organization, *, model_name: str, with_costs: bool) -> tuple[list[str], Iterator[list]]:
    """Every record of one type, as the records browser lists them, with their source and provenance."""
    label, columns, related, ordering = selectors.RECORD_VIEWS[model_name]
    queryset = selectors.records_queryset(org, model_name=model_name, with_costs=with_costs)
    header = [str(title) for _attr, title in columns] + [_("Source"), _("Id at the source"), _("Written by")]

    def rows():
        for record in queryset[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
            yield [_raw(record, attr) for attr, _title in columns] + [
                record.get_source_display(), record.external_id,
                record.provenance.describe() if record.provenance_id else ""]

    return header, rows()


def sync_runs_table(org: Organization, *, connection: Connection) -> tuple[list[str], Iterator[list]]:
    """The connection's sync runs as its page lists them, newest first."""
    header = [_("Started"), _("State"), _("Full re-sync"), _("Trigger"), _("Created"), _("Updated"), _("Deleted"),
              _("Rejected"), _("Duration (s)")]
    rows = ([run.created_at, run.get_state_display(), run.is_full, run.get_trigger_display(), run.created_total,
             run.updated_total, run.deleted_total, run.rejected,
             round(run.duration.total_seconds(), 1) if run.duration else None]
            for run in selectors.sync_runs_for(org, connection=connection, limit=10_000))
    return header, rows
