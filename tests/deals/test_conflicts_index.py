"""The conflict index: exact and fuzzy matches, thresholds, blocking, removal, order."""

from __future__ import annotations

import dataclasses
import random

import pytest
from rapidfuzz import fuzz

from kanali.deals.conflicts.index import ConflictIndex, Match, MatchSettings, Query, Record


def account(record_id: int, name: str, domain: str = "", vat: str = "", country: str = "") -> Record:
    return Record(record_id, "account", name, domain, vat, country)


@pytest.fixture
def index() -> ConflictIndex:
    return ConflictIndex(
        [
            account(
                1, "ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ Α.Ε.", domain="https://www.alfa-pliroforiki.gr/", vat="094014201", country="GR"
            ),
            account(2, "Beta Logistics Ltd", domain="beta-logistics.com"),
            Record(3, "registration", "Gamma Software GmbH", owner=7),
            Record(4, "lead", "Δέλτα Τεχνική Ε.Π.Ε.", domain="gmail.com"),
        ]
    )


def test_the_issue_example_meets(index: ConflictIndex) -> None:
    matches = index.check(Query(name="Alfa Pliroforiki SA"))
    assert matches == [Match(1, "account", "name", 100.0, None, ("name",))]


def test_vat_match_carries_its_reason(index: ConflictIndex) -> None:
    [match] = index.check(Query(name="Something Else", vat="EL 094 014 201"))
    assert (match.record_id, match.reason, match.score, match.exact) == (1, "vat", 100.0, True)
    # without the prefix, the country supplies it
    assert index.check(Query(vat="094014201", country="GR"))[0].reason == "vat"


def test_invalid_vat_never_matches(index: ConflictIndex) -> None:
    assert index.check(Query(vat="094014200", country="GR")) == []


def test_domain_match_carries_its_reason(index: ConflictIndex) -> None:
    [match] = index.check(Query(name="Unrelated", domain="sales@Beta-Logistics.COM"))
    assert (match.record_id, match.reason, match.score) == (2, "domain", 100.0)


def test_mailbox_providers_are_no_match(index: ConflictIndex) -> None:
    assert index.check(Query(name="Unrelated", domain="https://gmail.com")) == []


def test_every_reason_is_listed_strongest_first(index: ConflictIndex) -> None:
    [match] = index.check(Query(name="Alpha Pliroforiki", domain="alfa-pliroforiki.gr", vat="EL094014201"))
    assert match.reason == "vat"
    assert match.reasons == ("vat", "domain", "name")


def test_kind_and_owner_come_back(index: ConflictIndex) -> None:
    [match] = index.check(Query(name="GAMMA SOFTWARE"))
    assert (match.record_id, match.kind, match.owner) == (3, "registration", 7)
    [lead] = index.check(Query(name="Delta Techniki"))
    assert (lead.record_id, lead.kind) == (4, "lead")


def test_below_the_threshold_is_no_match() -> None:
    index = ConflictIndex([account(1, "Kalimera Pliroforiki")])
    [match] = index.check(Query(name="Kalimara Pliroforiki"), threshold=50)
    assert 50 < match.score < 100
    assert index.check(Query(name="Kalimara Pliroforiki"), threshold=match.score) == [match]
    assert index.check(Query(name="Kalimara Pliroforiki"), threshold=match.score + 0.5) == []


def test_the_default_threshold_separates_a_typo_from_another_company() -> None:
    index = ConflictIndex([account(1, "Papakalopoulos Techniki"), account(2, "Kori Emporiki")])
    assert [m.record_id for m in index.check(Query(name="Papakalopoulso Techniki AE"))] == [1]
    assert index.check(Query(name="Kovi Emporiki")) == []  # shares only its generic word
    assert index.check(Query(name="Papakalopoulos Naftiliaki")) == []  # another trade of the family


def test_thresholds_are_checked() -> None:
    with pytest.raises(ValueError, match="threshold"):
        ConflictIndex().check(Query(name="x"), threshold=101)
    with pytest.raises(ValueError, match="name_threshold"):
        MatchSettings(name_threshold=-1)
    with pytest.raises(ValueError, match="positive"):
        MatchSettings(max_candidates=0)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        ConflictIndex().add(Record(1, "customer", "Alfa"))  # type: ignore[arg-type]


def test_matches_are_sorted_exact_first_then_by_score() -> None:
    index = ConflictIndex(
        [
            account(1, "Zeta Marine Holdings"),
            account(2, "Completely Different Name", vat="EL094014201"),
            account(3, "Zeta Marine Holding"),
            account(4, "Another Name", domain="zeta.gr"),
        ]
    )
    matches = index.check(Query(name="Zeta Marine Holdings", domain="zeta.gr", vat="094014201", country="GR"))
    assert [(m.record_id, m.reason) for m in matches] == [(2, "vat"), (4, "domain"), (1, "name"), (3, "name")]
    assert matches[2].score == 100.0 > matches[3].score


def test_remove_forgets_the_record(index: ConflictIndex) -> None:
    assert len(index) == 4
    assert index.remove(1, "account") is True
    assert index.remove(1, "account") is False
    assert index.remove(3, "account") is False  # id 3 is a registration
    assert ("account", 1) not in index
    assert len(index) == 3
    assert index.check(Query(name="Alfa Pliroforiki", domain="alfa-pliroforiki.gr", vat="EL094014201")) == []
    assert index.block_size("alfa") == 0
    index.add(account(5, "Alfa Pliroforiki"))  # the freed slot is reused
    assert [m.record_id for m in index.check(Query(name="ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ"))] == [5]


def test_adding_the_same_record_replaces_it(index: ConflictIndex) -> None:
    index.add(account(2, "Omega Shipping", domain="omega.gr"))
    assert len(index) == 4
    assert index.check(Query(name="Beta Logistics", domain="beta-logistics.com")) == []
    assert [m.record_id for m in index.check(Query(name="Omega Shipping"))] == [2]


def test_exclude_skips_the_registration_itself(index: ConflictIndex) -> None:
    assert index.check(Query(name="Gamma Software"), exclude={("registration", 3)}) == []


def test_another_scorer_can_be_chosen() -> None:
    index = ConflictIndex([account(1, "Alfa Techniki Kritis")], settings=MatchSettings(scorer=fuzz.token_set_ratio))
    assert index.check(Query(name="Alfa Techniki"))[0].score == 100.0  # why it is not the default


def test_iter_names_lists_the_keys(index: ConflictIndex) -> None:
    assert ("account", 1, "alfa pliroforiki") in set(index.iter_names())


SYLLABLES = tuple(consonant + vowel for consonant in "klmnprstvzx" for vowel in "aeiou")
TRADES = (
    *("Pliroforiki", "Techniki", "Emporiki", "Systems", "Solutions", "Software", "Logistics", "Hellas", "Services"),
    *("Data", "Energy", "Marine", "Foods", "Media", "Consulting", "Pharma", "Digital", "Networks", "Trading"),
)


def synthetic_index(size: int, settings: MatchSettings | None = None) -> tuple[ConflictIndex, list[str]]:
    rng = random.Random(6)
    names = []
    for _ in range(size):
        brand = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((3, 4))))
        names.append(f"{brand.capitalize()} {rng.choice(TRADES)} {rng.choice(('SA', 'Ltd', 'IKE', ''))}".strip())
    return ConflictIndex((account(i, name) for i, name in enumerate(names)), settings=settings), names


def test_blocking_scores_a_small_part_of_a_large_index() -> None:
    index, names = synthetic_index(20_000)
    assert len(index) == 20_000
    long_brands = [i for i, name in enumerate(names) if len(name.split()[0]) >= 8]
    for record_id in long_brands[:: len(long_brands) // 5]:
        name = names[record_id]
        typo = name[:2] + name[3:]  # one letter dropped from the brand word
        matches, stats = index.check_with_stats(Query(name=typo.upper()), threshold=80)
        assert record_id in [m.record_id for m in matches]
        assert stats.candidates <= 2_000  # at most a tenth of the index is scored
        assert stats.keys_used + stats.intersections > 0


def test_common_words_alone_are_not_blocks() -> None:
    settings = MatchSettings(max_block_size=500, max_candidates=1_000, max_scanned=0)
    index, names = synthetic_index(20_000, settings)
    assert index.block_size("texniki") > 500  # "Techniki" is in one name of twenty
    _, stats = index.check_with_stats(Query(name="Techniki Systems"))
    assert stats.keys_used == 0  # neither word blocks alone ...
    assert stats.intersections == 0  # ... no name holds both ...
    assert stats.candidates == 0  # ... and scanning a common word is switched off
    index.settings = dataclasses.replace(settings, max_scanned=2_000)
    _, stats = index.check_with_stats(Query(name="Techniki Systems"))
    assert stats.keys_used == 1
    assert stats.candidates == min(index.block_size(key) for key in ("texniki", "sistems", "texn*", "sist*"))
    # a brand word with a typo and a common word: found through the brand's other affix
    name = next(name for name in names if name.endswith("Techniki SA") and len(name.split()[0]) >= 8)
    matches, stats = index.check_with_stats(Query(name="X" + name[1:]))
    assert names.index(name) in [m.record_id for m in matches]
    assert stats.candidates <= 1_000


def test_a_similar_name_abroad_matches_only_when_spelt_the_same() -> None:
    index = ConflictIndex([account(1, "ΡΑΦΙΣΤΑ ΕΠΕ", country="GR"), account(2, "Nordwind Logistik GmbH", country="DE")])
    assert index.check(Query(name="Ravista BV", country="NL")) == []  # "ravista" is not "rafista" letter for letter
    assert [m.record_id for m in index.check(Query(name="Rafista BV", country="NL"))] == [1]  # same spelling
    assert [m.record_id for m in index.check(Query(name="Ravista", country="GR"))] == [1]  # same country: fuzzy
    assert [m.record_id for m in index.check(Query(name="Ravista"))] == [1]  # country unknown: fuzzy
    assert [m.record_id for m in index.check(Query(name="NORDWIND LOGISTIK", country="AT"))] == [2]
    index.settings = MatchSettings(cross_country_exact=False)
    assert [m.record_id for m in index.check(Query(name="Ravista BV", country="NL"))] == [1]


def test_two_common_words_alike_are_two_words_but_a_misspelling_pairs() -> None:
    # Many names use "Manolidis" and many "Manolakis": two surnames, not a typo of one another.
    records = [
        account(i, f"{surname} {trade}")
        for i, (surname, trade) in enumerate(
            (s, t)
            for s in ("Manolidis", "Manolakis")
            for t in ("Emporiki", "Techniki", "Naftiliaki", "Chimiki", "Ilektroniki")
        )
    ]
    records.append(account(100, "Manolidis Chartiki AE"))
    index = ConflictIndex(records)
    assert [m.record_id for m in index.check(Query(name="Manolidis Chartiki"))] == [100]
    assert index.check(Query(name="Manolakis Chartiki")) == []
    assert [m.record_id for m in index.check(Query(name="Manolidqs Chartiki"))] == [100]  # nobody writes "manolidqs"


def test_greeklish_spellings_of_a_common_word_still_pair() -> None:
    # "Melethtiki" (η as h, after τ) and "Meletitiki" are common spellings of one word: the same consonants.
    records = [account(i, f"Brand{i} {word}") for i in range(6) for word in ("Meletitiki", "Melethtiki")]
    records.append(account(100, "Kontofotiadis Meletitiki OE", country="GR"))
    index = ConflictIndex(records)
    matches = index.check(Query(name="Kontofotiadhs Melethtiki", country="GR"))
    assert [m.record_id for m in matches] == [100]


@pytest.mark.parametrize(
    ("account_name", "query_name"),
    [
        ("Lyix Optics AG", "Lyix Optics TAG"),
        ("ΤΖΙΓΟΥ ΠΛΗΡΟΦΟΡΙΚΗ Ε.Π.Ε.", "ΤΖΙΓΟΥ ΠΛΗΡΟΦΟΡΙΚΗ Ε.Π.ΠΕ."),
        ("Fischer Hospitality GmbH", "Fischer Hospitality GmbB"),
        ("O'Brien Dynamics Ltd", "O'Brien Dynamics Lt"),
    ],
)
def test_a_typo_in_the_legal_form_does_not_sink_the_match(account_name: str, query_name: str) -> None:
    index = ConflictIndex([account(1, account_name), account(2, "Completely Different Holdings")])
    assert [m.record_id for m in index.check(Query(name=query_name))] == [1]


def test_a_short_distinct_word_still_tells_names_apart() -> None:
    index = ConflictIndex([account(1, "Zeta Marine Holdings")])
    assert index.check(Query(name="Zeta Marine Oceanic Holdings")) == []  # a real extra word is no legal form


def test_a_common_name_is_found_among_many_longer_names_holding_it() -> None:
    # Every "Proodos Metaforiki <place>" scores 100 on the rough first stage, as the exact name does.
    places = [
        f"{syllable.capitalize()}{other}nis" for syllable in SYLLABLES[:12] for other in ("ka", "lo", "ri", "te", "mo")
    ]
    records = [account(i, f"Proodos Metaforiki {place}") for i, place in enumerate(places)]
    records.append(account(1000, "ΠΡΟΟΔΟΣ ΜΕΤΑΦΟΡΙΚΗ ΑΕ"))
    index = ConflictIndex(records)
    assert len(places) > index.settings.max_rescored
    assert [m.record_id for m in index.check(Query(name="Proodos Metaphoriki SA"))] == [1000]
