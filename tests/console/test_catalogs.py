"""The translation catalogs: complete, consistent across languages, and compiled."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["ja", "zh_Hans", "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _po(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(lang: str) -> None:
    po = _po(lang)
    assert not po.metadata_is_fuzzy, f"{lang}: the header is fuzzy; msgfmt would drop it"
    assert po.metadata.get("Plural-Forms", "").startswith("nplurals=")
    live = [e for e in po if not e.obsolete]
    assert live, f"{lang}: empty catalog"
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.untranslated_entries()] == []
    for entry in live:
        assert all(text.strip() for text in _translations(entry)), entry.msgid


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_survive_translation(lang: str) -> None:
    for entry in _po(lang):
        if entry.obsolete:
            continue
        wanted = set(PLACEHOLDER.findall(entry.msgid)) | set(
            PLACEHOLDER.findall(entry.msgid_plural or "")
        )
        for text in _translations(entry):
            # Plural forms may drop the count (e.g. "one member"), never add or rename.
            assert set(PLACEHOLDER.findall(text)) <= wanted, (lang, entry.msgid, text)
            if not entry.msgid_plural:
                assert set(PLACEHOLDER.findall(text)) == wanted, (lang, entry.msgid, text)


def test_catalogs_have_the_same_messages() -> None:
    keys = {lang: {_key(e) for e in _po(lang) if not e.obsolete} for lang in LANGUAGES}
    union = set().union(*keys.values())
    for lang, have in keys.items():
        assert sorted(union - have, key=str) == [], f"{lang} lacks these"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_matches_its_source(lang: str) -> None:
    """A .mo compiled before the last .po edit serves stale text: compare entry by entry."""
    mo_path = LOCALE / lang / "LC_MESSAGES" / "django.mo"
    assert mo_path.exists(), f"{lang}: run `shequn manage compilemessages`"
    compiled = {_key(e): _translations(e) for e in polib.mofile(str(mo_path)) if e.msgid}
    source = {_key(e): _translations(e) for e in _po(lang) if not e.obsolete}
    stale = {k: (v, compiled.get(k)) for k, v in source.items() if compiled.get(k) != v}
    assert stale == {}
    assert set(compiled) - set(source) == set()


def test_known_strings() -> None:
    ja = {e.msgid: e.msgstr for e in _po("ja")}
    zh = {e.msgid: e.msgstr for e in _po("zh_Hans")}
    assert ja["Inbox"] == "受信箱"
    assert zh["Audit log"] == "审计日志"
    assert zh["Community"] == "社群"
