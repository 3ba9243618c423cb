"""The Greek catalogue is complete, compiled and current.

Kanali ships ``django.mo`` next to ``django.po`` so that no gettext tools are
needed at run time; these tests catch the ways that can silently go wrong: an
untranslated or fuzzy entry, a stale ``.mo``, a new string nobody extracted.
"""

from __future__ import annotations

import gettext
import hashlib
import io
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "kanali"
LOCALE = PACKAGE / "locale"
PO_FILE = LOCALE / "el" / "LC_MESSAGES" / "django.po"
MO_FILE = LOCALE / "el" / "LC_MESSAGES" / "django.mo"

#: The ``--ignore`` patterns of the Makefile ``messages`` target; allauth's strings come from allauth's catalogue.
MAKEMESSAGES_IGNORE = ["templates/allauth/*"]

GREEK_LETTER = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


@dataclass
class PoEntry:
    """One message of a .po file, with strings already unescaped."""

    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None


def _unquote(token: str) -> str:
    """Turn a quoted PO string literal into its value (C escapes, as msgfmt reads them)."""
    token = token.strip()
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise ValueError(f"not a PO string literal: {token!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), token[1:-1])


def parse_po(path: Path) -> list[PoEntry]:
    """A small .po reader: enough for Django catalogues, so tests need no polib."""
    entries: list[PoEntry] = []
    current: PoEntry | None = None
    target: tuple[str, int] | None = None  # which field a continuation line extends
    last_keyword = ""

    def start_entry(lineno: int) -> PoEntry:
        entry = PoEntry(line=lineno)
        entries.append(entry)
        return entry

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            current, target, last_keyword = None, None, ""
            continue
        if line.startswith("#~"):
            continue  # obsolete entry: gettext ignores it
        if line.startswith("#"):
            # Comments precede their entry, so one after a keyword line opens the next entry.
            if current is None or last_keyword:
                current, last_keyword = start_entry(lineno), ""
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{path}:{lineno}: continuation line outside an entry")
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, (getattr(current, name) or "") + _unquote(line))
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line)
        if not match:
            raise ValueError(f"{path}:{lineno}: cannot parse {raw!r}")
        keyword, index_text, literal = match.groups()
        opens_entry = keyword == "msgctxt" or (keyword == "msgid" and last_keyword != "msgctxt")
        if current is None or (opens_entry and last_keyword):
            current = start_entry(lineno)
        if keyword == "msgstr":
            index = int(index_text) if index_text is not None else 0
            current.msgstr[index] = _unquote(literal)
            target = ("msgstr", index)
        else:
            setattr(current, keyword, _unquote(literal))
            target = (keyword, 0)
        last_keyword = keyword
    return [entry for entry in entries if entry.msgstr or entry.msgid or entry.msgctxt is not None]


def _describe(entry: PoEntry) -> str:
    context = f" [context {entry.msgctxt!r}]" if entry.msgctxt is not None else ""
    return f"line {entry.line}: {entry.msgid!r}{context}"


def _load_mo(path: Path) -> dict[object, str]:
    """Every message gettext would serve from a compiled catalogue (header included)."""
    with path.open("rb") as fp:
        catalogue = gettext.GNUTranslations(fp)
    # _catalog is the parsed .mo; Django's own translation machinery reads it the same way.
    return dict(catalogue._catalog)  # type: ignore[attr-defined]


def _tree_digest(path: Path) -> str:
    """A fingerprint of a directory, to prove a test left it untouched."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def test_po_file_has_a_greek_header() -> None:
    """Wrong plural rules or charset would corrupt every translation, not just one."""
    header = next(entry for entry in parse_po(PO_FILE) if entry.is_header).msgstr[0]
    assert "Language: el\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header
    assert "Content-Type: text/plain; charset=UTF-8\n" in header


def test_po_file_has_no_untranslated_or_fuzzy_entries() -> None:
    """Django serves English for an empty msgstr and ignores fuzzy ones, so both are gaps in the UI."""
    entries = parse_po(PO_FILE)
    messages = [entry for entry in entries if not entry.is_header]
    assert len(messages) > 100, "the Greek catalogue looks truncated"
    untranslated = [
        _describe(entry) for entry in messages if not entry.msgstr or any(not text for text in entry.msgstr.values())
    ]
    fuzzy = [_describe(entry) if not entry.is_header else "the header" for entry in entries if "fuzzy" in entry.flags]
    plural_forms = [_describe(entry) for entry in messages if entry.msgid_plural and sorted(entry.msgstr) != [0, 1]]
    assert not untranslated, "untranslated entries in django.po:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy entries in django.po:\n" + "\n".join(fuzzy)
    assert not plural_forms, "plural entries without exactly two Greek forms:\n" + "\n".join(plural_forms)


def test_placeholders_and_markup_survive_translation() -> None:
    """A lost ``%(name)s`` raises at run time; a lost tag breaks the page."""
    patterns = [r"%\(\w+\)[sd]", r"</?[a-zA-Z][^>]*>", r"&[a-zA-Z]+;|&#\d+;"]
    broken = []
    for entry in parse_po(PO_FILE):
        if entry.is_header:
            continue
        for index, text in entry.msgstr.items():
            source = entry.msgid_plural if index > 0 and entry.msgid_plural else entry.msgid
            for pattern in patterns:
                wanted = sorted(re.findall(pattern, source))
                found = sorted(re.findall(pattern, text))
                # A singular Greek form may legitimately drop a count placeholder.
                if entry.msgid_plural and index == 0:
                    wanted = [token for token in wanted if token in found]
                if wanted != found:
                    broken.append(f"{_describe(entry)} msgstr[{index}]: expected {wanted}, found {found}")
    assert not broken, "placeholders or markup changed in translation:\n" + "\n".join(broken)


def test_mo_file_is_compiled_from_the_current_po(tmp_path: Path) -> None:
    """The .mo is what Django reads; a stale one hides every edit made to the .po."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed, so the .po cannot be compiled for comparison")
    assert MO_FILE.is_file(), f"{MO_FILE.relative_to(ROOT)} is missing; run `make messages`"
    fresh = tmp_path / "django.mo"
    # The same flags Django's compilemessages passes.
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own files
        [msgfmt, "--check-format", "-o", str(fresh), str(PO_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"msgfmt rejected django.po:\n{result.stderr}"
    committed, expected = _load_mo(MO_FILE), _load_mo(fresh)
    stale = sorted(repr(key) for key in expected.keys() - committed.keys() if key)
    extra = sorted(repr(key) for key in committed.keys() - expected.keys() if key)
    changed = sorted(repr(key) for key in expected.keys() & committed.keys() if expected[key] != committed[key])
    assert committed == expected, (
        "django.mo is out of date with django.po; run `make messages`.\n"
        f"missing from .mo: {stale}\nonly in .mo: {extra}\ndifferent: {changed}"
    )


def test_every_string_of_ours_is_in_the_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Extract afresh, in a copy of the package, and look for msgids the committed catalogue lacks."""
    if shutil.which("xgettext") is None or shutil.which("msguniq") is None:
        pytest.skip("xgettext/msguniq (GNU gettext) are not installed, so strings cannot be extracted")
    copy = tmp_path / "kanali"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "*.pyc"))
    before = _tree_digest(LOCALE)
    # makemessages scans the working directory and writes to LOCALE_PATHS[0]: point both at the copy.
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command(
            "makemessages",
            locale=["el"],
            no_obsolete=True,
            ignore_patterns=list(MAKEMESSAGES_IGNORE),
            verbosity=0,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert _tree_digest(LOCALE) == before, "makemessages wrote into the real source tree"
    fresh_po = copy / "locale" / "el" / "LC_MESSAGES" / "django.po"
    assert fresh_po.is_file(), "makemessages produced no catalogue in the copy"
    fresh = {entry.key: entry for entry in parse_po(fresh_po) if not entry.is_header}
    committed = {entry.key for entry in parse_po(PO_FILE) if not entry.is_header}
    missing = [_describe(fresh[key]) for key in sorted(fresh.keys() - committed, key=repr)]
    assert not missing, (
        f"{len(missing)} string(s) are not in kanali/locale/el/LC_MESSAGES/django.po; run `make messages` "
        "and translate them:\n" + "\n".join(missing)
    )


@pytest.mark.parametrize(
    ("english", "greek"),
    [("Partners", "Συνεργάτες"), ("Audit log", "Αρχείο ενεργειών"), ("Sign in", "Σύνδεση")],
)
def test_gettext_returns_greek(english: str, greek: str) -> None:
    """The compiled catalogue is found through LOCALE_PATHS and wins over third-party catalogues."""
    with translation.override("el"):
        assert translation.gettext(english) == greek


@pytest.mark.django_db
def test_landing_page_renders_in_greek(client: Client) -> None:
    """An anonymous visitor whose browser asks for Greek gets the landing page in Greek."""
    headline = "Design your partner program. Then run it."
    with translation.override("el"):
        greek_headline = translation.gettext(headline)
    assert greek_headline != headline
    assert GREEK_LETTER.search(greek_headline)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="el")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="el"' in html
    assert greek_headline in html
    assert headline not in html
