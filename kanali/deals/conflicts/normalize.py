"""Normalise company names, web domains and VAT numbers for conflict matching.

Pure functions: no database, no Django settings.

A company name goes through five steps (:func:`normalize_name`):

1. **fold**: Unicode NFKD, accents dropped (Greek tonos and dialytika
   included), case-folded, so ``Πληροφορική`` and ``ΠΛΗΡΟΦΟΡΙΚΗ`` agree;
2. **transliterate** Greek to Latin after ELOT 743 (``ου`` → ``ou``,
   ``μπ`` → ``b`` at the start of a word, ``αυ`` → ``av``/``af``, …), then
   any other script with anyascii;
3. **tokenise**: apostrophes vanish, every other non-alphanumeric character
   separates words, and runs of single letters are joined, so ``Α.Ε.``,
   ``Α. Ε.`` and ``ΑΕ`` all become the token ``ae`` and ``I.M.`` becomes
   ``im`` (this happens before punctuation could scatter the letters);
4. **phonetic key** per token: the spellings Greeklish and the other
   transliteration schemes disagree on collapse to one (``ου``/``oy``/``u``
   → ``u``; ``αι`` → ``e``; ``ει``/``οι``/``υ``/``y`` → ``i``; ``h`` → ``i``
   as Greeklish writes ``η``, but dropped before a vowel at the start of a
   word, as in "Hellas"; ``v``/``b``/``mp`` → ``b``; ``au``/``av``/``af`` →
   ``ab``; ``nt`` → ``d``; ``gk``/``gg``/``ng`` → ``g``; ``ch``/``ks`` →
   ``x``; ``ph`` → ``f``; ``th`` → ``t``; ``w`` → ``o``; ``c``/``q`` → ``k``;
   doubled letters single), so "Alpha Pliroforiki", "Alfa Plhroforikh" and
   "ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ" share one key;
5. **legal forms** (:data:`LEGAL_FORMS`) and connectors (``&``, "and",
   "και") are removed. A form is removed wherever it stands when it is
   unmistakable (several words, such as "Ανώνυμη Εταιρεία" or "Sp. z o.o.",
   a word no company name uses on its own, such as "GmbH", or written with
   dots, such as "S.A."), and otherwise only at the end of the name (``SA``,
   ``AG``, ``Co``), where a word such as "Spa" or "As" would be a legal
   form rather than part of the name. A name made only of legal forms keeps
   them.

The result's :attr:`NormalizedName.key` (phonetic tokens, sorted, joined by
spaces) is what the index blocks on and scores; :attr:`NormalizedName.text`
is the readable Latin form.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from django.core.exceptions import ValidationError
from rapidfuzz.distance import OSA

from kanali.core.validators import normalize_vat

__all__ = [
    "FREE_MAIL_DOMAINS",
    "LEGAL_FORMS",
    "LEGAL_FORM_WORDS",
    "NormalizedName",
    "fold",
    "normalize_domain",
    "normalize_name",
    "normalize_vat_for_matching",
    "phonetic",
    "to_latin",
]

# --- folding and Greek transliteration -----------------------------------

_COMBINING = re.compile("[\u0300-\u036f]")
# A dialytika splits a Greek digraph (Κοραΐ is ko-ra-i, not ko-re): a NUL
# placed before the vowel keeps the digraph rules off it, and goes afterwards.
_DIALYTIKA = re.compile("([ιυΙΥ])\u0308")
_GREEK = re.compile("[\u0370-\u03ff\u1f00-\u1fff]")

_VOICELESS = frozenset("θκξπστφχψ")
_GREEK_LETTERS = frozenset("αβγδεζηθικλμνξοπρστυφχψως")
_GREEK_DIGRAPH = re.compile("αυ|ευ|ηυ|ου|μπ|ντ|γκ|γγ|γξ|γχ")
_GREEK_SINGLE = str.maketrans(
    {
        "α": "a",
        "β": "v",
        "γ": "g",
        "δ": "d",
        "ε": "e",
        "ζ": "z",
        "η": "i",
        "θ": "th",
        "ι": "i",
        "κ": "k",
        "λ": "l",
        "μ": "m",
        "ν": "n",
        "ξ": "x",
        "ο": "o",
        "π": "p",
        "ρ": "r",
        "σ": "s",
        "ς": "s",
        "τ": "t",
        "υ": "y",
        "φ": "f",
        "χ": "ch",
        "ψ": "ps",
        "ω": "o",
    }
)


def _greek_digraph(match: re.Match[str]) -> str:
    pair, text, start, end = match.group(), match.string, match.start(), match.end()
    after = text[end] if end < len(text) else ""
    if pair[1] == "υ" and pair[0] != "ο":  # αυ, ευ, ηυ: v before a voiced sound, f otherwise
        vowel = {"α": "a", "ε": "e", "η": "i"}[pair[0]]
        return vowel + ("f" if after in _VOICELESS or after not in _GREEK_LETTERS else "v")
    if pair == "ου":
        return "ou"
    at_start = start == 0 or text[start - 1] not in _GREEK_LETTERS
    if pair == "μπ":
        return "b" if at_start or after not in _GREEK_LETTERS else "mp"
    if pair == "ντ":
        return "d" if at_start else "nt"
    if pair == "γκ":
        return "g" if at_start else "gk"
    return {"γγ": "ng", "γξ": "nx", "γχ": "nch"}[pair]


def fold(text: str) -> str:
    """Case-fold and drop accents: ``"Πληροφορική Müller"`` → ``"πληροφορικη muller"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    if "\u0308" in decomposed:
        decomposed = _DIALYTIKA.sub("\x00\\1", decomposed)
    return _COMBINING.sub("", decomposed).casefold()


def to_latin(text: str) -> str:
    """Fold ``text`` and write it in lower-case ASCII, Greek after ELOT 743.

    ``"ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ Α.Ε."`` → ``"alfa pliroforiki a.e."``.
    """
    folded = fold(text)
    if _GREEK.search(folded):
        folded = _GREEK_DIGRAPH.sub(_greek_digraph, folded).translate(_GREEK_SINGLE)
    folded = folded.replace("\x00", "")
    if not folded.isascii():
        folded = anyascii(folded).lower()
    return folded


# --- phonetic key ---------------------------------------------------------

_PHONETIC_RULES = {
    "ou": "u",
    "oy": "u",
    "ai": "e",
    "ei": "i",
    "oi": "i",
    "yi": "i",
    "au": "ab",
    "ay": "ab",
    "af": "ab",
    "av": "ab",
    "eu": "eb",
    "ey": "eb",
    "ef": "eb",
    "ev": "eb",
    "ph": "f",
    "th": "t",
    "ch": "x",
    "ks": "x",
    "gh": "g",
    "sh": "s",
    "mp": "b",
    "mb": "b",
    "v": "b",
    "nt": "d",
    "nd": "d",
    "gk": "g",
    "gg": "g",
    "ng": "g",
    "ck": "k",
    "c": "k",
    "q": "k",
    "w": "o",
    "y": "i",
    "h": "i",
}
_PHONETIC = re.compile("|".join(sorted(_PHONETIC_RULES, key=len, reverse=True)))
_DOUBLED = re.compile(r"(.)\1+")
_INITIAL_H = re.compile("^h(?=[aeiouy])")


@lru_cache(maxsize=1 << 18)
def phonetic(token: str) -> str:
    """The spelling-tolerant form of one lower-case ASCII token.

    ``phonetic("papadopoulos") == phonetic("papadopulos")``,
    ``phonetic("alpha") == phonetic("alfa")`` and
    ``phonetic("plhroforikh") == phonetic("pliroforiki")``.
    """
    # "ph" is "f" before anything else, so "Metaphoriki" meets "Metaforiki" in the "af" rule too.
    token = _INITIAL_H.sub("", token).replace("ph", "f")
    key = _DOUBLED.sub(r"\1", _PHONETIC.sub(lambda m: _PHONETIC_RULES[m.group()], token))
    return key or token


# --- tokens ---------------------------------------------------------------

_APOSTROPHES = re.compile("['`´‘’]")
_CHUNK = re.compile(r"[a-z0-9.]+")


def _raw_tokens(latin: str) -> list[tuple[str, bool]]:
    """Split lower-case ASCII into ``(token, abbreviated)`` pairs.

    Runs of single letters are joined (``a.e.`` → ``ae``, ``s a`` → ``sa``);
    ``abbreviated`` is true for those and for any word written with a dot.
    """
    out: list[tuple[str, bool]] = []
    run: list[str] = []
    for chunk in _CHUNK.findall(_APOSTROPHES.sub("", latin)):
        dotted = "." in chunk
        for part in chunk.split(".") if dotted else (chunk,):
            if not part:
                continue
            if len(part) == 1:
                run.append(part)
                continue
            if run:
                out.append(("".join(run), True) if len(run) > 1 else (run[0], dotted))
                run = []
            out.append((part, dotted))
    if run:
        out.append(("".join(run), len(run) > 1))
    return out


def _latin_tokens(text: str) -> list[tuple[str, str, bool]]:
    """``(latin, phonetic, abbreviated)`` for each word of ``text``, connectors dropped."""
    return [
        (token, key, abbreviated)
        for token, abbreviated in _raw_tokens(to_latin(text))
        if (key := phonetic(token)) not in _CONNECTORS
    ]


_CONNECTORS = frozenset(phonetic(word) for word in ("and", "und", "kai", "the"))

# --- legal forms ------------------------------------------------------------

# Removed wherever they stand: several words, or a word no name uses alone.
_LEGAL_FORMS_ANYWHERE = (
    # Greek
    "Ανώνυμη Εταιρεία",
    "Ανώνυμος Εταιρεία",
    "Ανώνυμη Βιομηχανική και Εμπορική Εταιρεία",
    "Ανώνυμη Εμπορική και Βιομηχανική Εταιρεία",
    "Ανώνυμη Τεχνική Εταιρεία",
    "Εταιρεία Περιορισμένης Ευθύνης",
    "Ιδιωτική Κεφαλαιουχική Εταιρεία",
    "Μονοπρόσωπη Ιδιωτική Κεφαλαιουχική Εταιρεία",
    "Ομόρρυθμη Εταιρεία",
    "Ετερόρρυθμη Εταιρεία",
    "Αστική Μη Κερδοσκοπική Εταιρεία",
    "Κοινωνική Συνεταιριστική Επιχείρηση",
    "Μονοπρόσωπη",
    "Μον. ΙΚΕ",
    "ΑΕΒΕ",
    "ΑΒΕΤΕ",
    "ΑΜΚΕ",
    "ΚοινΣΕπ",
    "Single Member P.C.",
    "Single Member",
    "SMPC",
    "SMLLC",
    # English and other European
    "Ltd",
    "LLC",
    "PLC",
    "GmbH",
    "GmbH & Co KG",
    "AG & Co KG",
    "SARL",
    "EURL",
    "SRL",
    "S.r.l.",
    "SASU",
    "Sp. z o.o.",
    "spzoo",
    "s.r.o.",
    "EOOD",
    "EAD",
    "Lda",
    "Ltda",
    "Oyj",
    "Kft",
    "Zrt",
    "Nyrt",
    "Pty",
    "Pvt",
)
# Removed only at the end of a name, or anywhere when written with dots.
_LEGAL_FORMS_AT_END = (
    "Α.Ε.",
    "Ε.Π.Ε.",
    "Ι.Κ.Ε.",
    "Ο.Ε.",
    "Ε.Ε.",
    "Α.Ε.Ε.",
    "Α.Τ.Ε.",
    "& ΣΙΑ",
    "P.C.",
    "G.P.",
    "L.P.",
    "S.A.",
    "S.L.",
    "N.V.",
    "B.V.",
    "A.G.",
    "K.G.",
    "A.B.",
    "A/S",
    "A.S.",
    "S.E.",
    "U.G.",
    "Oy",
    "AD",
    "Co",
    "Company",
    "Inc",
    "LLP",
    "OOD",
    "d.o.o.",
    "S.A.U.",
    "ΑΒΕΕ",
    "Limited",
    "Incorporated",
    "Corporation",
    "Corp",
    "SpA",
    "SAS",
    "ApS",
    "ABEE",
    "AEBE",
)
LEGAL_FORMS: tuple[str, ...] = _LEGAL_FORMS_ANYWHERE + _LEGAL_FORMS_AT_END
"""Every legal form removed from names, as people write them."""


def _by_word(forms: tuple[str, ...], last: bool) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Legal forms as phonetic word tuples, by first (or last) word, longest first."""
    keys = {tuple(key for _, key, _ in _latin_tokens(form)) for form in forms}
    table: dict[str, list[tuple[str, ...]]] = {}
    for key in sorted((key for key in keys if key), key=len, reverse=True):
        table.setdefault(key[-1] if last else key[0], []).append(key)
    return {word: tuple(found) for word, found in table.items()}


LEGAL_FORM_WORDS: frozenset[str] = frozenset(key for form in LEGAL_FORMS for _, key, _ in _latin_tokens(form))
"""Every phonetic word of the legal forms ("ae", "gmbh", "ltd", "member" …)."""

_ANYWHERE = _by_word(_LEGAL_FORMS_ANYWHERE, last=False)
_ANY_FORM = _by_word(LEGAL_FORMS, last=False)
_AT_END = _by_word(LEGAL_FORMS, last=True)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))} | {word}


_NEAR_LAST_WORD: dict[str, set[str]] = {}  # a deletion of a form's last word -> those words
for _word in _AT_END:
    if len(_word) >= 3:
        for _near in _deletions(_word):
            _NEAR_LAST_WORD.setdefault(_near, set()).add(_word)


def _misspelt_form_word(word: str) -> str | None:
    """The last word of a legal form that ``word`` misspells by one edit ("Lad" for "Lda")."""
    if word in _AT_END or not 3 <= len(word) <= 16:
        return None
    for near in _deletions(word):
        for form_word in sorted(_NEAR_LAST_WORD.get(near, ())):
            if OSA.distance(word, form_word) <= 1:
                return form_word
    return None


def _strip_legal_forms(words: list[tuple[str, str, bool]]) -> list[tuple[str, str, bool]]:
    keys = [key for _, key, _ in words]
    keep = [True] * len(words)
    i = 0
    while i < len(words):  # unmistakable forms, or any form written with dots, anywhere
        width = 1
        for form in (_ANY_FORM if words[i][2] else _ANYWHERE).get(keys[i], ()):
            if tuple(keys[i : i + len(form)]) == form:
                keep[i : i + len(form)] = [False] * len(form)
                width = len(form)
                break
        i += width
    end = len(words)
    while end and not keep[end - 1]:
        end -= 1
    if sum(keep) >= 3 and (form_word := _misspelt_form_word(keys[end - 1])):
        keys[end - 1] = form_word  # a typo in the legal form of a long name: "Electronics SNARL"
    while True:  # every form at the end, repeatedly ("GmbH & Co. KG", "Ltd Co")
        while end and not keep[end - 1]:
            end -= 1
        if not end:
            break
        for form in _AT_END.get(keys[end - 1], ()):
            if end >= len(form) and tuple(keys[end - len(form) : end]) == form:
                keep[end - len(form) : end] = [False] * len(form)
                break
        else:
            break
    kept = [word for word, flag in zip(words, keep, strict=True) if flag]
    return kept or words


# --- names ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A company name ready for matching.

    ``text`` is readable (``"alfa pliroforiki"``); ``tokens`` are the
    phonetic words in their original order; ``key`` is ``tokens`` sorted and
    joined by spaces: the string the index blocks on and scores, so word
    order does not count.
    """

    text: str
    tokens: tuple[str, ...]
    key: str


EMPTY_NAME = NormalizedName("", (), "")


def normalize_name(name: str) -> NormalizedName:
    """Normalise a company name; see the module docstring for the steps.

    >>> normalize_name("ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ Α.Ε.").key == normalize_name("Alfa Pliroforiki SA").key
    True
    """
    words = _latin_tokens(name or "")
    if not words:
        return EMPTY_NAME
    words = _strip_legal_forms(words)
    tokens = tuple(key for _, key, _ in words)
    return NormalizedName(" ".join(text for text, _, _ in words), tokens, " ".join(sorted(tokens)))


# --- domains and VAT numbers ----------------------------------------------------

FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.gr",
        "yahoo.co.uk",
        "yahoo.de",
        "yahoo.fr",
        "hotmail.com",
        "hotmail.gr",
        "outlook.com",
        "outlook.com.gr",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "zoho.com",
        "otenet.gr",
        "windtools.gr",
        "hol.gr",
        "in.gr",
        "mail.gr",
        "freemail.gr",
        "abv.bg",
        "wp.pl",
        "o2.pl",
        "seznam.cz",
        "libero.it",
        "orange.fr",
        "free.fr",
        "mail.ru",
        "yandex.ru",
    }
)
"""Mailbox providers: a shared domain is no sign of the same customer."""

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_WWW = re.compile(r"^www\d*\.")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def normalize_domain(value: str) -> str:
    """The host of a web address or e-mail address, for exact matching.

    Lower-case, without scheme, credentials, ``www.``, port, path, query or
    trailing dot; internationalised names in their IDNA (``xn--``) form.
    ``"https://WWW.Alfa.gr:443/contact"`` and ``"sales@alfa.gr"`` give
    ``"alfa.gr"``. Anything that is not a host name gives ``""``.
    Subdomains other than ``www`` are kept (``shop.alfa.gr``).
    """
    host = (value or "").strip().lower()
    if not host:
        return ""
    host = _SCHEME.sub("", host)
    host = re.split(r"[/?#\\]", host, maxsplit=1)[0]
    host = host.rpartition("@")[2]
    if host.startswith("["):  # an IPv6 literal is no domain
        return ""
    host = host.partition(":")[0].strip().strip(".")
    host = _WWW.sub("", host)
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return ""
    return host if _HOST.match(host) else ""


def normalize_vat_for_matching(value: str, country: str = "") -> str:
    """The compact VAT number (``EL094014201``), or ``""`` when blank or invalid.

    Uses :func:`kanali.core.validators.normalize_vat`, so a Greek number typed
    without its prefix gets ``EL`` from the country. An invalid number is not
    an error here: it simply cannot match.
    """
    try:
        return normalize_vat(value, country)
    except ValidationError:
        return ""
