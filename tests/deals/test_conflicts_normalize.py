"""Normalisation of company names, domains and VAT numbers for conflict matching."""

from __future__ import annotations

import pytest

from kanali.deals.conflicts.normalize import (
    EMPTY_NAME,
    normalize_domain,
    normalize_name,
    normalize_vat_for_matching,
    phonetic,
    to_latin,
)


def key(name: str) -> str:
    return normalize_name(name).key


@pytest.mark.parametrize(
    "name",
    [
        # Greek forms, dotted, undotted, spaced, in Latin letters, in full
        "ΑΛΦΑ Α.Ε.",
        "ΑΛΦΑ ΑΕ",
        "ΑΛΦΑ A.E.",
        "Άλφα Α. Ε.",
        "ΑΛΦΑ Α.Ε",
        "ΑΛΦΑ ΑΝΩΝΥΜΗ ΕΤΑΙΡΕΙΑ",
        "ΑΛΦΑ ΑΝΩΝΥΜΗ ΕΤΑΙΡΙΑ",
        "ΑΛΦΑ Ε.Π.Ε.",
        "ΑΛΦΑ ΕΠΕ",
        "ΑΛΦΑ ΕΤΑΙΡΕΙΑ ΠΕΡΙΟΡΙΣΜΕΝΗΣ ΕΥΘΥΝΗΣ",
        "ΑΛΦΑ Ι.Κ.Ε.",
        "ΑΛΦΑ ΙΚΕ",
        "ΑΛΦΑ Μον. ΙΚΕ",
        "ΑΛΦΑ ΜΟΝΟΠΡΟΣΩΠΗ Ι.Κ.Ε.",
        "ΑΛΦΑ Ο.Ε.",
        "ΑΛΦΑ ΟΕ",
        "ΑΛΦΑ & ΣΙΑ Ο.Ε.",
        "ΑΛΦΑ Ε.Ε.",
        "ΑΛΦΑ ΕΕ",
        "ΑΛΦΑ ΑΒΕΕ",
        "ΑΛΦΑ Α.Ε.Β.Ε.",
        "Alfa Single Member P.C.",
        "Alfa IKE",
        # English and other European forms
        "Alfa S.A.",
        "Alfa SA",
        "Alfa Ltd",
        "Alfa Ltd.",
        "Alfa Limited",
        "Alfa LLC",
        "Alfa GmbH",
        "Alfa GmbH & Co. KG",
        "Alfa AG",
        "Alfa Inc.",
        "Alfa Corp.",
        "Alfa & Co.",
        "Alfa PLC",
        "Alfa S.r.l.",
        "Alfa SRL",
        "Alfa SpA",
        "Alfa S.p.A.",
        "Alfa B.V.",
        "Alfa NV",
        "Alfa SARL",
        "Alfa SAS",
        "Alfa EOOD",
        "Alfa OOD",
        "Alfa Sp. z o.o.",
        "Alfa s.r.o.",
        "Alfa Lda",
    ],
)
def test_legal_forms_are_removed(name: str) -> None:
    assert key(name) == "alfa"
    assert normalize_name(name).text in {"alfa", "alpha"}


def test_dotted_forms_go_before_punctuation_could_scatter_them() -> None:
    # "Α.Ε." inside the name: its letters must not survive as words of their own
    assert key("ΑΛΦΑ Α.Ε. ΠΛΗΡΟΦΟΡΙΚΗ") == key("ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ")
    assert key("Ε.Π.Ε. ΔΕΛΤΑ ΤΕΧΝΙΚΗ") == key("ΔΕΛΤΑ ΤΕΧΝΙΚΗ")
    assert normalize_name("ΑΛΦΑ Ε.Π.Ε.").tokens == ("alfa",)
    # initials are kept, joined whichever way they are written
    assert key("Ι.Μ. Παπαδόπουλος Ε.Π.Ε.") == key("IM Papadopoulos EPE") == key("I. M. Papadopoulos")


def test_ambiguous_short_forms_only_go_at_the_end() -> None:
    assert key("Spa Resort Ltd") == "resort spa"
    assert key("AG Systems") == key("Ag Systems GmbH")
    assert "ag" in normalize_name("AG Systems").tokens
    assert key("Co Working Hub") != key("Working Hub")


def test_a_name_made_only_of_legal_forms_keeps_them() -> None:
    assert key("S.A.") == "sa"


def test_a_misspelt_legal_form_ending_a_long_name_goes() -> None:
    assert key("Genstaly Electronics SNARL") == key("Genstaly Electronics")
    assert key("Toth Health Lad.") == key("Toth Health")
    # a two-word name keeps its last word: it may be the name
    assert key("Alfa Ikea") == "alfa ikea"


@pytest.mark.parametrize(
    "variant",
    [
        "Alfa Pliroforiki SA",
        "ALFA PLIROFORIKI S.A.",
        "Alpha Pliroforiki A.E.",
        "Άλφα Πληροφορική ΑΕ",
        "alfa plhroforikh ae",
        "Pliroforiki Alfa Ανώνυμη Εταιρεία",
    ],
)
def test_greek_and_latin_spellings_meet(variant: str) -> None:
    assert key(variant) == key("ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ Α.Ε.") == "alfa pliroforiki"


def test_greek_is_transliterated_after_elot_743() -> None:
    assert to_latin("ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ") == "alfa pliroforiki"
    assert to_latin("ΜΠΑΜΠΗΣ ΝΤΟΚΟΣ ΓΚΙΚΑΣ") == "bampis dokos gikas"
    assert to_latin("Ευθυμίου Αύρα Ευάγγελος") == "efthymiou avra evangelos"
    assert to_latin("Χατζηψάλτης Θεσσαλονίκη") == "chatzipsaltis thessaloniki"
    assert to_latin("Κοραΐ") == "korai"  # the dialytika splits the digraph
    assert to_latin("Müller Ørsted Straße") == "muller orsted strasse"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ΠΑΠΑΔΟΠΟΥΛΟΣ", "Papadopulos"),
        ("ΠΑΠΑΔΟΠΟΥΛΟΣ", "Papadopoylos"),
        ("ΝΤΟΚΟΣ", "Dokos"),
        ("ΝΤΟΚΟΣ", "Ntokos"),
        ("ΓΚΙΚΑΣ", "Gkikas"),
        ("ΤΕΧΝΙΚΗ", "Texniki"),
        ("ΤΕΧΝΙΚΗ", "Tehniki".replace("h", "ch")),
        ("ΑΙΓΑΙΟ", "Egeo"),
        ("ΕΙΡΗΝΗ", "Irini"),
        ("ΟΙΚΟΣ", "Ikos"),
        ("ΛΑΜΠΡΟΣ", "Labros"),
        ("ΛΑΜΠΡΟΣ", "Lambros"),
        ("ΕΥΡΩΠΗ", "Evropi"),
        ("ΕΥΡΩΠΗ", "Eyrwpi"),
        ("ΒΙΟ", "Bio"),
        ("ΕΛΛΑΣ", "Hellas"),
        ("ΗΛΕΚΤΡΟΝΙΚΗ", "Hlektronikh"),
        ("ΑΛΦΑ", "Alpha"),
        ("ΜΕΤΑΦΟΡΙΚΗ", "Metaphoriki"),  # "ph" meets "f" before the "af" rule
        ("ΕΦΑΡΜΟΓΕΣ", "Epharmoges"),
    ],
)
def test_common_alternative_spellings_share_a_key(one: str, other: str) -> None:
    assert key(one) == key(other)


def test_phonetic_is_stable_for_plain_words() -> None:
    assert phonetic("papadopoulos") == phonetic("papadopulos") == "papadopulos"
    assert phonetic("x") == "x"


def test_accents_and_case_do_not_count() -> None:
    assert key("Πληροφορική") == key("ΠΛΗΡΟΦΟΡΙΚΗ") == key("πληροφορικη")
    assert key("Müller GmbH") == key("MULLER GMBH")
    assert key("García López S.L.") == key("Garcia Lopez")


def test_punctuation_separates_words() -> None:
    assert key("Alfa-Beta, Systems!") == key("Alfa Beta Systems")
    assert key("O'Brien & Sons") == key("OBrien Sons")
    assert key("Alfa / Beta (Hellas)") == key("Alfa Beta Hellas")


def test_word_order_does_not_count() -> None:
    assert key("Pliroforiki Alfa") == key("Alfa Pliroforiki")
    assert normalize_name("Pliroforiki Alfa").tokens == ("pliroforiki", "alfa")


def test_blank_names() -> None:
    assert normalize_name("") == EMPTY_NAME
    assert normalize_name("  ,.- ") == EMPTY_NAME


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("alfa.gr", "alfa.gr"),
        ("https://WWW.Alfa.gr:443/contact?x=1#top", "alfa.gr"),
        ("http://www2.alfa.gr", "alfa.gr"),
        ("www.alfa.gr.", "alfa.gr"),
        ("sales@Alfa.GR", "alfa.gr"),
        ("https://user:pass@alfa.gr/", "alfa.gr"),
        ("shop.alfa.co.uk", "shop.alfa.co.uk"),
        ("αλφα.gr", "xn--mxaa3a7b.gr"),
        ("https://ΑΛΦΑ.GR/about", "xn--mxaa3a7b.gr"),
        ("", ""),
        ("   ", ""),
        ("not a domain", ""),
        ("localhost", ""),
        ("http://[::1]/", ""),
    ],
)
def test_normalize_domain(value: str, expected: str) -> None:
    assert normalize_domain(value) == expected


def test_normalize_vat_for_matching() -> None:
    assert normalize_vat_for_matching("094014201", "GR") == "EL094014201"
    assert normalize_vat_for_matching("EL 094 014 201") == "EL094014201"
    assert normalize_vat_for_matching("GR094014201") == "EL094014201"
    assert normalize_vat_for_matching("DE136695976") == "DE136695976"
    assert normalize_vat_for_matching("094014200", "GR") == ""  # bad check digit: cannot match
    assert normalize_vat_for_matching("") == ""
