"""Every built-in KPI's name and description, and every metric's name, has a French translation; the
French catalogue follows French typography (a narrow no-break space before ; : ? ! and inside « »)."""

import re
from pathlib import Path

from babel.messages.pofile import read_po
from django.utils import translation

from kpis.catalogue import load_catalogue

PO = Path(__file__).resolve().parents[3] / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _french() -> dict[str, str]:
    with open(PO, "rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id and isinstance(m.id, str)}


def test_every_catalogue_text_has_its_french():
    french = _french()
    cat = load_catalogue()
    texts = [k["name"] for k in cat.kpis] + [k["description"] for k in cat.kpis if k["description"]]
    texts += [m["name"] for m in cat.metrics] + [k["dimension_label"] for k in cat.kpis if k["dimension_label"]]
    missing = [t for t in texts if not french.get(t)]
    assert missing == []


def test_the_sig_read_as_french_accountants_name_them():
    with translation.override("fr"):
        names = {translation.gettext(n) for n in ("Revenue", "Commercial margin", "Net result", "Value added")}
    assert names == {"Chiffre d’affaires", "Marge commerciale", "Résultat net", "Valeur ajoutée"}


def test_french_typography_no_plain_space_before_high_punctuation():
    bad = [s for s in _french().values() if isinstance(s, str) and re.search(r"[ \u00a0][:;?!»]|« ", s)]
    assert bad == []
