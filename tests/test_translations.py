"""Everything a user reads exists in French: the catalogue has no empty or fuzzy entry, and it is used."""

from pathlib import Path

from babel.messages.pofile import read_po
from django.utils import translation

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_the_french_catalogue_has_no_untranslated_or_fuzzy_entry():
    catalogue = read_po(CATALOGUE.open("rb"))
    missing = [
        message.id for message in catalogue
        if message.id and (not message.string or "fuzzy" in message.flags
                           or (isinstance(message.string, tuple) and not all(message.string)))
    ]
    assert missing == []


def test_pages_speak_french_to_a_french_user(client, acme_ceo):
    client.force_login(acme_ceo.user)
    client.cookies["django_language"] = "fr"
    page = client.get("/o/acme/members/").content.decode()
    assert "Inviter quelqu" in page
    with translation.override("fr"):
        assert translation.gettext("Members") != "Members"


def test_each_english_text_has_one_french_translation():
    """Two entries for one msgid leave one page reading the other's French ("Commenter" for a comment's label):
    a word whose French depends on its use gets a context (pgettext) instead."""
    entries = _entries(CATALOGUE)
    assert [entry for entry in set(entries) if entries.count(entry) > 1] == []


def test_words_whose_french_depends_on_their_use_read_right_in_each_place():
    from alerts.forms import AlertResponseForm, AlertRuleForm
    from reports.forms import ScheduleForm

    with translation.override("fr"):
        assert str(dict(AlertResponseForm.ACTIONS)["comment"]) == "Commenter"  # the action, a verb
        assert str(AlertResponseForm.base_fields["comment"].label) == "Commentaire"  # the text, a noun
        assert str(AlertRuleForm.base_fields["is_enabled"].label) == "Active"  # une règle
        assert str(ScheduleForm.base_fields["is_enabled"].label) == "Actif"  # un envoi programmé


def _entries(path: Path) -> list[tuple[str | None, str]]:
    """Every (context, msgid) as written in the file: Babel's reader merges duplicates, so it cannot see them."""
    entries, context, msgid, field = [], None, None, None
    for line in [*path.read_text().splitlines(), ""]:
        if line.startswith('"') and field is not None:
            if field == "id":
                msgid += line[1:-1]
            else:
                context += line[1:-1]
            continue
        if field == "id" and msgid:
            entries.append((context, msgid))
        field = None
        if line.startswith("msgctxt "):
            context, field = line[9:-1], "context"
        elif line.startswith("msgid "):
            msgid, field = line[7:-1], "id"
        elif line.startswith("msgstr"):
            context = None
    return entries


def test_french_elides_with_the_typographic_apostrophe():
    """« l’entreprise », not « l'entreprise »: one apostrophe throughout, the one French typography uses."""
    straight = [message.id for message in read_po(CATALOGUE.open("rb"))
                if message.id and any("'" in text for text in _texts(message.string))]
    assert straight == []


def _texts(string) -> tuple[str, ...]:
    return string if isinstance(string, tuple) else (string,)
