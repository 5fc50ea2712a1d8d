"""Every translatable string in the code and templates is in the catalogs, and nothing stale is.

Runs Django's `makemessages` on a copy of the source tree into a scratch locale directory (seeded
with the real catalogs) and compares the live message ids with the committed catalogs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

SOURCE = Path(settings.LOCALE_PATHS[0]).parent
LANGUAGES = ["ja", "zh_Hans", "en"]


def _live_ids(po_path: Path) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in polib.pofile(str(po_path)) if not e.obsolete}


@pytest.mark.skipif(
    shutil.which("xgettext") is None and os.environ.get("CI") != "true",
    reason="gettext is not installed (apt-get install gettext)",
)
def test_catalogs_hold_exactly_the_strings_in_the_source(tmp_path: Path) -> None:
    tree = tmp_path / "shequn"
    shutil.copytree(
        SOURCE,
        tree,
        ignore=shutil.ignore_patterns("locale", "__pycache__", "static"),
    )
    scratch = tmp_path / "locale"
    shutil.copytree(SOURCE / "locale", scratch)
    cwd = os.getcwd()
    try:
        os.chdir(tree)
        with override_settings(LOCALE_PATHS=[str(scratch)]):
            call_command("makemessages", locale=LANGUAGES, verbosity=0)
    finally:
        os.chdir(cwd)
    for lang in LANGUAGES:
        committed = _live_ids(SOURCE / "locale" / lang / "LC_MESSAGES" / "django.po")
        extracted = _live_ids(scratch / lang / "LC_MESSAGES" / "django.po")
        missing = sorted(extracted - committed, key=str)
        stale = sorted(committed - extracted, key=str)
        assert missing == [], (
            f"{lang}: strings in the source but not in the catalog (run makemessages)"
        )
        assert stale == [], f"{lang}: catalog entries no longer in the source (run makemessages)"
