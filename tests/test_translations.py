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
