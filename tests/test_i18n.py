"""The translation catalogues: complete, compiled, used.

Bahasa Indonesia is the default language and every msgid is English, so an untranslated or
fuzzy entry shows English to an Indonesian user, and a stale .mo (the .mo files are committed,
so that running the portal needs no gettext) shows the translations of an older .po. The .po
files are read in Python here: these tests need no GNU gettext on the machine.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
ID_PO = LOCALE / "id" / "LC_MESSAGES" / "django.po"
ID_MO = LOCALE / "id" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"

NAMED = re.compile(r"%\((\w+)\)")
POSITIONAL = re.compile(r"%(?!\()[-#0 +]*\d*(?:\.\d+)?[sdif]")
BRACES = re.compile(r"\{\w*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def translations(self) -> list[str]:
        return [self.msgstr[n] for n in sorted(self.msgstr)]

    @property
    def mo_key(self) -> str | tuple[str, int]:
        key = self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"
        return (key, 0) if self.msgid_plural is not None else key


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file (obsolete `#~` entries left out), the header first."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal current, started, target
        if started:
            entries.append(current)
        current, started, target = Entry(), False, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            if started:
                finish()
            current.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            if started and not line.startswith("#~"):
                finish()
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation without a keyword"
            text = ast.literal_eval(line)
        else:
            text = ast.literal_eval(rest)
            if keyword in ("msgctxt", "msgid") and (started and current.msgstr):
                finish()
            started = True
            current.line = current.line or number
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target = ("msgstr", int(match.group(1)))
            elif keyword in ("msgid", "msgid_plural", "msgctxt", "msgstr"):
                target = (keyword, 0)
            else:
                raise AssertionError(f"{path}:{number}: unexpected {keyword!r}")
        name, index = target
        if name == "msgstr":
            current.msgstr[index] = current.msgstr.get(index, "") + text
        else:
            setattr(current, name, (getattr(current, name) or "") + text)
    finish()
    assert entries and entries[0].msgid == "", f"{path} has no header"
    return entries


def messages(path: Path) -> list[Entry]:
    return parse_po(path)[1:]


def where(entry: Entry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"line {entry.line}: {context}{entry.msgid!r}"


# --- (a) the Indonesian catalogue is complete --------------------------------------------------


def test_the_indonesian_catalogue_declares_indonesian_and_its_single_plural_form():
    header = parse_po(ID_PO)[0]
    fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    assert fields["Language"] == "id"
    assert fields["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in fields["Content-Type"]
    assert "fuzzy" not in header.flags


def test_every_message_is_translated_into_indonesian():
    entries = messages(ID_PO)
    assert len(entries) > 500, "the catalogue looks truncated: run `make messages`"
    untranslated = [where(e) for e in entries if not e.msgstr or not all(s.strip() for s in e.translations)]
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)


def test_no_indonesian_translation_is_fuzzy():
    fuzzy = [where(e) for e in messages(ID_PO) if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy (check them, then drop the flag):\n" + "\n".join(fuzzy)


def test_plural_messages_have_exactly_the_one_indonesian_form():
    wrong = [where(e) for e in messages(ID_PO) if e.msgid_plural is not None and sorted(e.msgstr) != [0]]
    assert not wrong, "\n".join(wrong)


def test_the_english_catalogue_has_the_same_messages():
    """`makemessages -l id -l en` refreshes both: the English one may stay untranslated."""
    id_keys = {(e.msgctxt, e.msgid) for e in messages(ID_PO)}
    en_keys = {(e.msgctxt, e.msgid) for e in messages(EN_PO)}
    assert en_keys == id_keys


# --- (b) the compiled catalogues match the .po files --------------------------------------------


@pytest.mark.parametrize(("po_path", "mo_path"), [(ID_PO, ID_MO), (EN_PO, EN_MO)], ids=["id", "en"])
def test_the_mo_file_is_compiled_from_the_current_po(po_path, mo_path):
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
    with mo_path.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    catalog = {key: value for key, value in compiled._catalog.items() if key != ""}  # type: ignore[attr-defined]
    translated = [e for e in messages(po_path) if "fuzzy" not in e.flags and any(e.translations)]
    expected_keys = set()
    stale = []
    for entry in translated:
        if entry.msgid_plural is None:
            expected_keys.add(entry.mo_key)
            if catalog.get(entry.mo_key) != entry.msgstr[0]:
                stale.append(where(entry))
        else:
            base = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
            for index, text in entry.msgstr.items():
                expected_keys.add((base, index))
                if catalog.get((base, index)) != text:
                    stale.append(where(entry))
    assert not stale, f"{mo_path} is older than its .po (run compilemessages):\n" + "\n".join(stale)
    assert set(catalog) == expected_keys, f"{mo_path} has messages the .po no longer has: run compilemessages"


def test_django_serves_the_indonesian_translations():
    with translation.override("id"):
        assert translation.gettext("Incidents") == "Insiden"
        assert translation.gettext("Threats") == "Ancaman"
        assert translation.gettext("Severe") == "Berat"
        assert translation.ngettext("%(counter)s incident", "%(counter)s incidents", 3) % {"counter": 3} == "3 insiden"
        assert translation.pgettext("button", "Cancel") == "Batal"
        assert translation.gettext("Cancel") == "Pembatalan"  # the CAP message type
    with translation.override("en"):
        assert translation.gettext("Incidents") == "Incidents"
        assert translation.pgettext("button", "Cancel") == "Cancel"


def test_a_cancel_button_is_never_the_cap_message_type():
    """Plain "Cancel" is the CAP message type ("Pembatalan"); a page's button that leaves a form
    says it in the "button" context ("Batal"). Seven forms once said "Pembatalan" on the button."""
    plain = re.compile(r"""\{%\s*translate\s+"Cancel"\s*%\}""")
    offenders = [
        str(path) for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html") if plain.search(path.read_text())
    ]
    assert not offenders


# --- (c) the pages speak Indonesian first, English on request -----------------------------------


def test_pages_are_indonesian_by_default_and_english_after_switching(client, world):
    client.force_login(world.alice)
    page = client.get("/incidents/").content.decode()
    assert 'lang="id"' in page
    assert "<title>Insiden · Sinergi</title>" in page
    assert "Daftar insiden" in page  # the navigation too

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/incidents/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/incidents/").content.decode()
    assert 'lang="en"' in page
    assert "<title>Incidents · Sinergi</title>" in page
    assert "Insiden" not in page

    client.post("/i18n/setlang/", {"language": "id", "next": "/incidents/"})
    assert "<title>Insiden · Sinergi</title>" in client.get("/incidents/").content.decode()


def test_the_public_report_page_is_indonesian_for_an_anonymous_citizen(client, db):
    page = client.get("/lapor/").content.decode()
    assert 'lang="id"' in page
    assert "<title>Laporkan insiden · Sinergi</title>" in page
    assert "Kirim laporan" in page
    assert "Send report" not in page


def test_a_browser_asking_for_english_gets_english(client, db):
    page = client.get("/lapor/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="en"' in page
    assert "<title>Report an incident · Sinergi</title>" in page


def test_labels_built_at_import_follow_the_request_language():
    """A class-level `_("…") % x` would be translated once, at import: these stay lazy."""
    from incidents.forms import IncidentForm
    from incidents.threats.forms import InboxFilterForm

    for language, worse, example in (
        ("id", "Ringan atau lebih parah", "mis. 0.1333"),
        ("en", "Minor or worse", "e.g. 0.1333"),
    ):
        with translation.override(language):
            labels = [str(label) for _value, label in InboxFilterForm().fields["min_severity"].choices]
            assert worse in labels
            assert str(IncidentForm.base_fields["latitude"].widget.attrs["placeholder"]) == example


# --- (d) the translations keep their placeholders -----------------------------------------------


def test_translations_keep_the_placeholders_of_their_msgid():
    wrong = []
    for entry in messages(ID_PO):
        # A plural's sources: the singular may leave the number out ("member" / "members").
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid_plural]
        for text in entry.translations:
            for source in sources:
                if set(NAMED.findall(source)) != set(NAMED.findall(text)):
                    wrong.append(f"{where(entry)}: {sorted(NAMED.findall(text))}")
                if sorted(POSITIONAL.findall(source)) != sorted(POSITIONAL.findall(text)):
                    wrong.append(f"{where(entry)}: positional {POSITIONAL.findall(text)}")
                if "python-brace-format" in entry.flags and set(BRACES.findall(source)) != set(BRACES.findall(text)):
                    wrong.append(f"{where(entry)}: braces {BRACES.findall(text)}")
    assert not wrong, "\n".join(wrong)


def test_translations_keep_the_markup_of_their_msgid():
    tag = re.compile(r"<[^>]+>")
    wrong = [
        where(entry)
        for entry in messages(ID_PO)
        for text in entry.translations
        if sorted(tag.findall(entry.msgid_plural or entry.msgid)) != sorted(tag.findall(text))
    ]
    assert not wrong, "\n".join(wrong)
