"""The Chinese interface: the zh_Hans catalogue is complete and current, and pages come out in
Chinese unless the user switches to English."""

import ast
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# The directories makemessages is told to skip (--ignore) and build output; the copy made for the
# freshness check leaves them out too.
SKIPPED_DIRS = {".venv", "node_modules", "tests", "bench", "locale", "staticfiles", "media", "var"}
SOURCE_SUFFIXES = {".py", ".html", ".txt"}


def po_entries(path: Path) -> dict[tuple[str | None, str], dict]:
    """The live entries of a .po file keyed by (msgctxt, msgid), each with its msgstrs and flags.
    Obsolete (#~) entries and the header are left out."""
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields, flags, current = {}, set(), None
        for line in block.splitlines():
            if not line.strip():
                continue
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[current] += ast.literal_eval(line)
            else:
                keyword, _space, rest = line.partition(" ")
                current = keyword
                fields[current] = ast.literal_eval(rest)
        if fields.get("msgid"):
            strings = [value for key, value in fields.items() if key.startswith("msgstr")]
            entries[(fields.get("msgctxt"), fields["msgid"])] = {"msgstrs": strings, "flags": flags}
    return entries


def test_catalogue_is_fully_translated():
    # --check also rejects a translation whose %(name)s placeholders differ from the msgid's.
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    statistics = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages\.", statistics), statistics
    # The same condition entry by entry, so that a failure names the strings.
    incomplete = [
        msgid for (_ctx, msgid), entry in po_entries(CATALOGUE).items()
        if "fuzzy" in entry["flags"] or not all(entry["msgstrs"])
    ]
    assert incomplete == []


def test_catalogue_header_declares_the_single_chinese_plural_form():
    header = CATALOGUE.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in header
    assert "#, fuzzy" not in header  # a fuzzy header makes msgfmt ignore the charset


def _copy_sources(source: Path, target: Path) -> None:
    for path in source.iterdir():
        if path.is_dir():
            if path.name in SKIPPED_DIRS or path.name.startswith(".") or path.name.endswith(".egg-info"):
                continue
            _copy_sources(path, target / path.name)
        elif path.suffix in SOURCE_SUFFIXES:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / path.name)


def test_catalogue_holds_every_string_in_the_sources(tmp_path, monkeypatch):
    """makemessages runs on a copy of the sources, so the checkout is never written to: it
    writes template stand-ins next to the templates and rewrites the catalogue in place."""
    _copy_sources(Path(settings.BASE_DIR), tmp_path)
    locale = tmp_path / "locale"
    (locale / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copyfile(CATALOGUE, locale / "zh_Hans" / "LC_MESSAGES" / "django.po")
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[str(locale)]):
        call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    regenerated = po_entries(locale / "zh_Hans" / "LC_MESSAGES" / "django.po")
    committed = po_entries(CATALOGUE)
    missing = sorted(msgid for context, msgid in regenerated if (context, msgid) not in committed)
    assert not missing, f"not in the catalogue (run `make messages` and translate them): {missing}"


@pytest.mark.parametrize(
    ("path", "chinese", "english"),
    [
        ("/accounts/login/", "工作人员登录", "Staff login"),
        ("/", "行政执法公示平台", "Administrative Law-Enforcement Disclosure"),
    ],
)
def test_pages_are_chinese_until_the_user_switches_to_english(client, db, path, chinese, english):
    response = client.get(path)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in page
    assert chinese in page and english not in page
    # The switch names each language in that language, so a reader can find their own.
    assert '<option value="en" lang="en">English</option>' in page

    switched = client.post("/i18n/setlang/", {"language": "en", "next": path})
    assert switched.status_code == 302

    page = client.get(path).content.decode()
    assert '<html lang="en">' in page
    assert english in page and chinese not in page


def test_plural_strings_use_the_single_chinese_form(login, users):
    # Department A's scope holds three organisations: the department, its agency and the
    # entrusted organisation.
    page = login(users.editor_a).get("/office/organisations/").content.decode()
    assert "共 3 条记录" in page


@pytest.mark.parametrize(
    ("path", "status", "chinese"),
    [
        ("/office/audit/", 403, "无权访问"),
        ("/office/organisations/999999/", 404, "页面不存在"),
    ],
)
def test_error_pages_are_chinese(login, users, path, status, chinese):
    response = login(users.editor_a).get(path)
    page = response.content.decode()
    assert response.status_code == status
    assert '<html lang="zh-hans">' in page
    assert chinese in page
