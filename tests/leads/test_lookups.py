"""Offline lookups: countries and regions in English and Greek, phones, languages, cities, company domains."""

from __future__ import annotations

import pytest

from kanali.leads import lookups


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("GR", "GR"),
        ("gr", "GR"),
        ("GRC", "GR"),
        ("Greece", "GR"),
        ("Ελλάδα", "GR"),
        ("ΕΛΛΑΔΑ", "GR"),
        ("Hellas", "GR"),
        ("Κύπρος", "CY"),
        ("Germany", "DE"),
        ("Γερμανία", "DE"),
        ("Deutschland", "DE"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("  united   states ", "US"),
    ],
)
def test_country_from_code_or_name(value: str, code: str) -> None:
    assert lookups.country_code(value) == code


@pytest.mark.parametrize("value", ["", "Atlantis", "XX", "Ελλαδάκι"])
def test_unknown_country(value: str) -> None:
    assert lookups.country_code(value) is None


@pytest.mark.parametrize(
    ("value", "country", "code"),
    [
        ("GR-I", "GR", "GR-I"),
        ("gr-i", "GR", "GR-I"),
        ("I", "GR", "GR-I"),
        ("Attikí", "GR", "GR-I"),
        ("Αττική", "GR", "GR-I"),
        ("Attica", "GR", "GR-I"),
        ("Κρήτη", "GR", "GR-M"),
        ("Crete", "GR", "GR-M"),
        ("Κεντρική Μακεδονία", "GR", "GR-B"),
        ("Bayern", "DE", "DE-BY"),
        ("Bavaria", "DE", "DE-BY"),
    ],
)
def test_region_of_country(value: str, country: str, code: str) -> None:
    assert lookups.region_code(value, country) == code


def test_region_must_belong_to_the_country() -> None:
    assert lookups.region_code("DE-BY", "GR") is None
    assert lookups.region_code("Crete", "DE") is None
    assert lookups.region_code("Nowhere", "GR") is None


@pytest.mark.parametrize(
    ("value", "country", "e164"),
    [
        ("210 123 4567", "GR", "+302101234567"),
        ("+30 210 1234567", "", "+302101234567"),
        ("0030 691 234 5678", "GR", "+306912345678"),
        ("(030) 1234567", "DE", "+49301234567"),
        ("+44 20 7946 0958", "GR", "+442079460958"),
    ],
)
def test_phone_to_e164(value: str, country: str, e164: str) -> None:
    assert lookups.phone_e164(value, country) == e164


@pytest.mark.parametrize("value", ["123", "call me", "+30 12"])
def test_invalid_phone(value: str) -> None:
    assert lookups.phone_e164(value, "GR") is None


@pytest.mark.parametrize(
    ("value", "code"),
    [("el", "el"), ("EL", "el"), ("ell", "el"), ("gre", "el"), ("Greek", "el"), ("Ελληνικά", "el"), ("en-GB", "en")],
)
def test_language(value: str, code: str) -> None:
    assert lookups.language_code(value) == code


def test_unknown_language() -> None:
    assert lookups.language_code("Klingonese") is None


@pytest.mark.parametrize("city", ["Athens", "ATHENS", "Αθήνα", "αθηνα", "Athína"])
def test_city_coordinates_any_spelling(city: str) -> None:
    lat, lon = lookups.city_coordinates(city, "GR")  # type: ignore[misc]
    assert abs(lat - 37.98) < 0.05 and abs(lon - 23.73) < 0.05


@pytest.mark.parametrize(
    ("city", "country", "lat", "lon"),
    [
        ("Ηράκλειο", "GR", 35.33, 25.14),
        ("Θεσσαλονίκη", "GR", 40.64, 22.93),
        ("Αλεξανδρούπολη", "GR", 40.85, 25.88),
        ("Ερμούπολη", "GR", 37.44, 24.94),
        ("München", "DE", 48.14, 11.58),
        ("Munich", "DE", 48.14, 11.58),
        ("Λευκωσία", "CY", 35.17, 33.36),
    ],
)
def test_city_coordinates(city: str, country: str, lat: float, lon: float) -> None:
    found = lookups.city_coordinates(city, country)
    assert found is not None
    assert abs(found[0] - lat) < 0.1 and abs(found[1] - lon) < 0.1


def test_city_of_another_country_or_unknown() -> None:
    assert lookups.city_coordinates("Athens", "DE") is None
    assert lookups.city_coordinates("Nowhereville", "GR") is None
    assert lookups.city_coordinates("", "GR") is None


@pytest.mark.parametrize(
    ("email", "website", "domain"),
    [
        ("eleni@Olympus.GR", "", "olympus.gr"),
        ("eleni@gmail.com", "", ""),
        ("eleni@yahoo.gr", "https://www.olympus.gr/about", "olympus.gr"),
        ("eleni@hotmail.co.uk", "", ""),
        ("", "olympus.gr", "olympus.gr"),
        ("", "http://WWW.Olympus.gr", "olympus.gr"),
        ("", "", ""),
    ],
)
def test_company_domain(email: str, website: str, domain: str) -> None:
    assert lookups.company_domain(email, website) == domain
