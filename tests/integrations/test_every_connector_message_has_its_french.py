"""Every message a connector keeps for people to read later (a rejected record's reason, a refused resource) is a
ReaderMessage whose msgid has its French: the run page reads it in the reader's language."""

import ast
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _reader_msgids() -> dict[str, str]:
    found = {}
    for path in sorted((ROOT / "integrations").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ReaderMessage" and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found[node.args[0].value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_the_connectors_write_their_reasons_as_reader_messages():
    where = {Path(w.split(":")[0]).parts[2] for w in _reader_msgids().values() if w.startswith("integrations/providers")}
    assert {"pennylane.py", "hubspot", "sage", "salesforce", "zoho"} <= where


def test_every_reader_message_has_its_french():
    french = {m.id: m.string for m in read_po(CATALOGUE.open("rb")) if m.id}
    missing = {msgid: where for msgid, where in _reader_msgids().items() if not french.get(msgid)}
    assert missing == {}
