"""The small interface every provider module implements (STYLE.md §6).

A connector only talks to the provider and maps payloads to `Record`s; it never touches the
database, so it can be tested against recorded or fake responses alone. The sync service
(`integrations.services.connection_sync`) upserts records, advances cursors and writes the SyncRun.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from integrations.models import Connection

# A cursor is the provider's own bookmark per object type (a changelog cursor, a last-modified
# timestamp, …), stored as JSON on the connection and advanced with the records it covers.
Cursor = dict[str, Any]


@dataclass(frozen=True)
class Record:
    """One canonical record as the connector read it.

    `model` names the canonical model ("invoice", "ledgerline", "deal", …, lower case);
    `fields` holds its field values (foreign keys as `<name>_external_id`, resolved by the
    service); `deleted` marks a tombstone; `reject_reason`, when set, means the payload was
    malformed and is reported instead of stored.
    """

    model: str
    external_id: str
    fields: dict[str, Any] = field(default_factory=dict)
    source_updated_at: Any = None
    deleted: bool = False
    reject_reason: str = ""
    raw: dict[str, Any] | None = None


@dataclass(frozen=True)
class Page:
    """A batch of records and the cursor that is true once they are stored (saved in the same transaction)."""

    object_type: str
    records: list[Record]
    cursor: Cursor
    progress: float | None = None  # 0..1 when the provider tells how far we are


class ConnectorError(Exception):
    """`permanent=True`: bad credentials or a missing scope: stop and tell the admin; never retry.
    `permanent=False`: rate limit, 5xx, timeout: retry later with back-off (honour `retry_after`)."""

    def __init__(self, message: str, *, permanent: bool, retry_after: float | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class Connector(ABC):
    key: ClassVar[str]
    label: ClassVar[str]

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @abstractmethod
    def check_credentials(self) -> None:
        """Raise ConnectorError(permanent=True) with a message the admin can act on."""

    @abstractmethod
    def fetch(self, *, cursors: dict[str, Cursor]) -> Iterator[Page]:
        """Yield pages of records changed since the cursors (empty cursors: everything)."""
