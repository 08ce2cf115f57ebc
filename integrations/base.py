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
    # Full-listing reconciliation: the first page of a complete listing of `model` sets
    # `listing_starts=model`; its last page sets `listing_complete=model`. When one run saw both,
    # the service tombstones that model's rows (of this source) the listing did not contain.
    listing_starts: str | None = None
    listing_complete: str | None = None
    listing_filter: dict[str, Any] | None = None  # narrows the reconciled rows, e.g. {"kind": "customer"}
    # Complete sets: (model, filter, external ids) says "these are all the rows of `model` matching
    # `filter`" (an invoice's payments, re-read whole): the service tombstones the others.
    complete_sets: tuple[tuple[str, dict[str, Any], frozenset[str]], ...] = ()
    # A resource the provider refused (scope missing, endpoint absent): the page carries no records,
    # keeps the stored cursor, and says in plain words what is missing and what will not show.
    skipped_reason: str = ""


class ConnectorError(Exception):
    """`permanent=True`: bad credentials or a missing scope: stop and tell the admin; never retry.
    `permanent=False`: rate limit, 5xx, timeout: retry later with back-off (honour `retry_after`)."""

    def __init__(self, message: str, *, permanent: bool, retry_after: float | None = None):
        super().__init__(message)
        self.message = message  # as given: a ReaderMessage stays one (str(exc) would flatten it)
        self.permanent = permanent
        self.retry_after = retry_after


class ResourceRefused(ConnectorError):
    """The provider refuses one resource (403 missing scope, 404 endpoint absent) but not the token:
    the connector skips that resource (a Page with `skipped_reason`) and syncs the others."""

    def __init__(self, message: str, *, object_type: str = "", status: int = 403):
        super().__init__(message, permanent=True)
        self.object_type = object_type
        self.status = status


def skipped_page(object_type: str, reason: str, cursor: Cursor | None = None) -> Page:
    """The page a connector yields for a refused resource (its cursor is left as it was)."""
    return Page(object_type=object_type, records=[], cursor=cursor or {}, skipped_reason=reason)


# The cursor key under which a connector keeps the fiscal year start month its provider states: the sync
# applies it at a connection's first sync to an organization still on the default January.
FISCAL_YEAR_CURSOR = "fiscal_year"


def fiscal_year_page(start_month: int | None, *, progress: float = 0.02) -> Page:
    """The page that keeps the provider's fiscal year start month (1–12, or None when it states none)."""
    return Page(object_type=FISCAL_YEAR_CURSOR, records=[], cursor={"start_month": start_month}, progress=progress)


@dataclass(frozen=True)
class AccountInfo:
    """Who the credentials reach: the provider's account id (Pennylane company id, HubSpot hub_id) and name."""

    account_id: str
    name: str = ""


class Connector(ABC):
    key: ClassVar[str]
    label: ClassVar[str]
    source: ClassVar[str] = ""  # the canonical `Source` value of its records; defaults to `key`
    auth: ClassVar[str] = "token"  # "token": the connect page shows a token form; "oauth": a redirect button
    token_help: ClassVar[str] = ""  # one sentence telling the admin where to create the token
    token_form: ClassVar[bool] = True  # False: OAuth only (QuickBooks), the connect page offers no token form
    # A firm connection (one token, many companies) syncs nothing itself: its mapped children do.
    is_firm: ClassVar[bool] = False
    # True when `fetch` may run on a worker thread one page ahead of the writes (integrations/prefetch.py):
    # it never queries the database itself (any write it needs goes through `on_sync_thread`).
    prefetch: ClassVar[bool] = False

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @classmethod
    def source_key(cls) -> str:
        return cls.source or cls.key

    def account_info(self) -> AccountInfo:
        """Check the credentials and say which account they reach (raises ConnectorError)."""
        self.check_credentials()
        return AccountInfo(account_id="")

    def close(self) -> None:
        """Release HTTP clients; called by the service after every sync or check."""

    @abstractmethod
    def check_credentials(self) -> None:
        """Raise ConnectorError(permanent=True) with a message the admin can act on."""

    @abstractmethod
    def fetch(self, *, cursors: dict[str, Cursor]) -> Iterator[Page]:
        """Yield pages of records changed since the cursors (empty cursors: everything)."""
