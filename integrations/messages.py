"""Messages a sync writes for people to read later (rejected records, skipped resources).

A sync runs in a worker, in no reader's language. A `ReaderMessage` is the English text (what the logs
and the audit keep) that also remembers its msgid and parameters, so a page translates it into the
language of whoever reads the run — the same message in French for one member and English for another.
"""

from __future__ import annotations

from typing import Self

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ReaderMessage(str):
    """The English text of a message, carrying `msgid` and `params` to translate it when read."""

    msgid: str
    params: dict

    def __new__(cls, msgid: str, **params) -> Self:
        text = msgid % params if params else msgid
        self = super().__new__(cls, text)
        self.msgid, self.params = msgid, {k: _plain(v) for k, v in params.items()}
        return self

    def stored(self) -> dict:
        return {"msgid": self.msgid, "params": self.params}


def _plain(value):
    """A parameter as JSON keeps it; a nested message (or a lazy translation) keeps its msgid to be read too."""
    if isinstance(value, ReaderMessage):
        return value.stored()
    if isinstance(value, Promise) and getattr(value, "_args", None):  # gettext_lazy("Subscriptions")
        return {"msgid": value._args[0], "params": {}}
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def stored_message(text: str) -> dict:
    """What to keep beside a message's text so it can be read in another language ({} for plain text)."""
    return text.stored() if isinstance(text, ReaderMessage) else {}


def read_message(text: str, stored: dict | None) -> str:
    """The message in the active language; its stored text when it was not a ReaderMessage."""
    if not stored or not stored.get("msgid"):
        return text
    try:
        return _translated(stored)
    except (KeyError, TypeError, ValueError):
        return text


def read_messages(texts: list[str], stored: list[dict] | None) -> str:
    """Several messages in the active language, one after the other (a sync's refused resources)."""
    stored = stored or []
    return " ".join(read_message(text, stored[i] if i < len(stored) else None) for i, text in enumerate(texts))


def _translated(stored: dict) -> str:
    params = {key: _translated(value) if isinstance(value, dict) and "msgid" in value else value
              for key, value in (stored.get("params") or {}).items()}
    return gettext(stored["msgid"]) % params if params else gettext(stored["msgid"])


# One record of each canonical type, as a rejection reason names it ("invoice 123: …"), read in the
# reader's language like the rest of the message.
RECORD_NAMES = {
    "customer": _("customer"), "supplier": _("supplier"), "invoice": _("invoice"), "payment": _("payment"),
    "ledgeraccount": _("ledger account"), "ledgerline": _("ledger line"), "bankaccount": _("bank account"),
    "banktransaction": _("bank transaction"), "subscription": _("subscription"),
}


def record_named(model: str, external_id: str, detail: ReaderMessage) -> ReaderMessage:
    """A rejection reason that names its record: "invoice 123: amount '12,5O' is not a decimal amount"."""
    return ReaderMessage("%(record)s %(id)s: %(detail)s", record=RECORD_NAMES.get(model, model), id=external_id,
                         detail=detail)


def unreadable(exc: Exception) -> ReaderMessage:
    """A payload the mapping could not read, with what Python said about it (kept as it is, for support)."""
    error = f"{exc.args[0]!r} is missing" if isinstance(exc, KeyError) and exc.args else str(exc)
    return ReaderMessage("a field could not be read (%(error)s)", error=error or type(exc).__name__)
