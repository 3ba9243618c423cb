"""The conflict index: a vendor's accounts, deals, registrations and leads,
and the question "which of them is this registration about?".

Three ways to match, strongest first:

- **vat**: the same compact VAT number (python-stdnum; an invalid number
  never matches), score 100;
- **domain**: the same normalised host (``www.``, scheme, path and port
  dropped, IDNA); mailbox providers such as gmail.com never match, score 100;
- **name**: the normalised names (:mod:`.normalize`) score at least the
  threshold (:attr:`MatchSettings.name_threshold`, 0–100).

**Scorer.** Candidates are first scored with
:func:`rapidfuzz.fuzz.token_ratio` (the better of ``token_sort_ratio`` and
``token_set_ratio``) on the keys, a generous, order-blind filter; those
within ``prefilter_margin`` of the threshold (at most ``max_rescored`` of the
best ``4 × max_rescored``, and among equal rough scores those of the query's
length first) are
then scored by :func:`.scoring.weighted_token_score`: words paired one to
one, each weighted by its inverse document frequency in the index; two
different words pair only if one is rare (in at most one name) or they have
the same consonants, and a minor word (initials, a legal form's word with a
typo) left unpaired weighs little. A record in another known country than
the query's matches by name only when spelt the same
(:attr:`MatchSettings.cross_country_exact`). Plain
``token_sort_ratio`` (``ratio`` on the sorted keys) lets the long generic
word carry the score, so "Kori Emporiki" and "Kovi Emporiki" score 92;
``token_set_ratio`` and ``WRatio`` also score a name contained in another as
(nearly) 100 ("Alfa Techniki" in "Alfa Techniki Kritis"), and in an index of
a million companies built from the same few thousand words both are
everywhere. The benchmark (``bench/conflicts.py``) prints recall and false
conflicts of all four at several thresholds. ``MatchSettings(scorer=...)``
replaces the two stages with one plain rapidfuzz scorer.

**Blocking.** A name is compared only with records found through its block
keys (:mod:`.blocking`: its phonetic words of three letters or more, and the
first and last four letters of the longer ones), in three steps:

1. every record under a *rare* key (shared by at most ``max_block_size``
   records), rarest key first, while under ``max_candidates``;
2. the records under *two* common keys of *different* words (the
   intersection of their postings: "Kapital Ruger" reaches "Kapital
   Kruger" through ``*uger`` and ``kapital``, neither rare), for the
   ``max_intersections`` smallest pairs of keys of at most
   ``max_intersected`` records;
3. if nothing was found, the records of the query's rarest key when there
   are at most ``max_scanned`` ("Plastiki Toag" after a typo in its only
   rare word).

Keys above ``max_intersected`` ("systems", the ending ``*tiki`` of every
Greek adjective) are never read. A check therefore scores at most
``max_candidates`` names (``max_scanned`` in step 3) whatever the size of
the index.

The index keeps only normalised keys, never the original text. It is not
thread-safe: guard ``add``/``remove`` with a lock if checks run alongside.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal, NamedTuple, get_args

from rapidfuzz import fuzz, process

from .blocking import MIN_TOKEN_LENGTH, block_keys, token_keys
from .normalize import (
    FREE_MAIL_DOMAINS,
    NormalizedName,
    normalize_domain,
    normalize_name,
    normalize_vat_for_matching,
)
from .scoring import idf_weight, weighted_token_score

__all__ = [
    "KINDS",
    "CheckStats",
    "ConflictIndex",
    "Kind",
    "Match",
    "MatchSettings",
    "Query",
    "Reason",
    "Record",
    "RecordId",
]

Kind = Literal["account", "deal", "registration", "lead"]
KINDS: tuple[Kind, ...] = get_args(Kind)
Reason = Literal["vat", "domain", "name"]
RecordId = int | str
_REASON_ORDER: dict[Reason, int] = {"vat": 0, "domain": 1, "name": 2}


@dataclass(frozen=True, slots=True)
class Record:
    """A record a registration may conflict with.

    ``id`` is unique within its ``kind``; ``owner`` is the id of the
    partnership the record belongs to (a partner's registration or deal),
    ``None`` for the vendor's own records.
    """

    id: RecordId
    kind: Kind
    name: str
    domain: str = ""
    vat: str = ""
    country: str = ""
    owner: int | None = None


@dataclass(frozen=True, slots=True)
class Query:
    """What a new registration says about its customer."""

    name: str = ""
    domain: str = ""
    vat: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """One conflicting record: why (its strongest reason) and how sure (0–100).

    ``reasons`` lists every reason that held, strongest first.
    """

    record_id: RecordId
    kind: Kind
    reason: Reason
    score: float
    owner: int | None = None
    reasons: tuple[Reason, ...] = ()

    @property
    def exact(self) -> bool:
        return self.reason != "name"


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """The knobs of a check; see the module docstring.

    ``name_threshold``: the lowest name score reported (0–100); the
    benchmark prints recall and false conflicts around it.
    ``max_block_size``: keys shared by more records than this are too
    common to block on alone. ``max_candidates``: most names scored per
    check, which bounds its time. ``max_intersected`` and
    ``max_intersections``: how common a key may be and how many pairs of
    common keys are intersected. ``max_scanned``: the largest single common
    key scanned when nothing else matched. ``prefilter_margin`` and ``max_rescored``: how
    far below the threshold the first, rough score may be, and how many
    names at most get the weighted score. ``scorer``: ``None`` for the two
    stages; a rapidfuzz scorer (``fuzz.ratio``, ``fuzz.WRatio``, …) to score
    the sorted keys with it alone. ``ignored_domains`` never match.
    ``cross_country_exact``: a record whose country is known and differs
    from the query's matches by name only when spelt the same, accents,
    case, script and legal form aside (a similar name abroad is usually
    another company; "Ravista" in the Netherlands is not "Ραφίστα" in Greece).
    """

    name_threshold: float = 89.0
    max_block_size: int = 2_000
    max_candidates: int = 4_000
    max_intersected: int = 20_000
    max_intersections: int = 4
    max_scanned: int = 8_000
    prefilter_margin: float = 15.0
    max_rescored: int = 50
    scorer: Callable[..., float] | None = None
    ignored_domains: frozenset[str] = FREE_MAIL_DOMAINS
    cross_country_exact: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.name_threshold <= 100:
            raise ValueError("name_threshold must be between 0 and 100")
        if self.max_block_size < 1 or self.max_candidates < 1:
            raise ValueError("max_block_size and max_candidates must be positive")


@dataclass(frozen=True, slots=True)
class CheckStats:
    """How a check found its candidates (for tests, tuning and the benchmark)."""

    keys: int  # block keys of the query's name that exist in the index
    keys_used: int  # ... whose records were all taken (rare keys, or the scanned one)
    intersections: int  # pairs of common keys whose shared records were taken
    candidates: int  # names scored


class _Entry(NamedTuple):
    record_id: RecordId
    kind: Kind
    owner: int | None
    key: str
    domain: str
    vat: str
    country: str  # upper case, "" when unknown
    spelling: int  # hash of the name's words as written (accents, case, script and legal form aside), sorted


# A posting is one slot (most keys) or a list of slots: a million one-element
# lists would cost more than the rest of the index.
_Posting = int | list[int]


def _post(table: dict[str, _Posting], key: str, slot: int) -> None:
    found = table.get(key)
    if found is None:
        table[key] = slot
    elif isinstance(found, int):
        table[key] = [found, slot]
    else:
        found.append(slot)


def _unpost(table: dict[str, _Posting], key: str, slot: int) -> None:
    found = table.get(key)
    if isinstance(found, list):
        found.remove(slot)
        if len(found) == 1:
            table[key] = found[0]
    elif found == slot:
        del table[key]


def _country(code: str) -> str:
    return (code or "").strip().upper()


def _spelling(name: NormalizedName) -> int:
    return hash(" ".join(sorted(name.text.split())))


def _slots(found: _Posting | None) -> Sequence[int]:
    if found is None:
        return ()
    return (found,) if isinstance(found, int) else found


class ConflictIndex:
    """Records in memory, checked by exact VAT/domain and blocked fuzzy name."""

    def __init__(self, records: Iterable[Record] = (), *, settings: MatchSettings | None = None) -> None:
        self.settings = settings or MatchSettings()
        self._entries: list[_Entry | None] = []
        self._keys: list[str] = []  # the entries' name keys again, as a plain list: scoring reads only these
        self._free: list[int] = []
        self._slot_of: dict[tuple[Kind, RecordId], int] = {}
        self._blocks: dict[str, _Posting] = {}
        self._by_domain: dict[str, _Posting] = {}
        self._by_vat: dict[str, _Posting] = {}
        self.add_many(records)

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, ref: object) -> bool:
        return ref in self._slot_of

    @property
    def block_count(self) -> int:
        """How many distinct block keys the index holds."""
        return len(self._blocks)

    def block_size(self, key: str) -> int:
        """How many records are filed under a block key (its document frequency)."""
        return len(_slots(self._blocks.get(key)))

    def iter_names(self) -> Iterator[tuple[Kind, RecordId, str]]:
        """``(kind, id, normalised name key)`` of every record, e.g. for a brute-force baseline."""
        for entry in self._entries:
            if entry is not None:
                yield entry.kind, entry.record_id, entry.key

    # --- writes ---------------------------------------------------------------

    def add(self, record: Record) -> None:
        """Add a record, or replace the record of the same kind and id."""
        if record.kind not in KINDS:
            raise ValueError(f"unknown kind {record.kind!r}")
        ref = (record.kind, record.id)
        if ref in self._slot_of:
            self.remove(record.id, record.kind)
        name = normalize_name(record.name)
        entry = _Entry(
            record.id,
            record.kind,
            record.owner,
            name.key,
            normalize_domain(record.domain),
            normalize_vat_for_matching(record.vat, record.country),
            _country(record.country),
            _spelling(name),
        )
        if self._free:
            slot = self._free.pop()
            self._entries[slot] = entry
            self._keys[slot] = entry.key
        else:
            slot = len(self._entries)
            self._entries.append(entry)
            self._keys.append(entry.key)
        self._slot_of[ref] = slot
        for key in block_keys(name.tokens):
            _post(self._blocks, key, slot)
        if entry.domain:
            _post(self._by_domain, entry.domain, slot)
        if entry.vat:
            _post(self._by_vat, entry.vat, slot)

    def add_many(self, records: Iterable[Record]) -> None:
        for record in records:
            self.add(record)

    def remove(self, record_id: RecordId, kind: Kind) -> bool:
        """Forget a record; ``False`` if the index did not hold it."""
        slot = self._slot_of.pop((kind, record_id), None)
        if slot is None:
            return False
        entry = self._entries[slot]
        assert entry is not None  # noqa: S101 - a slot in _slot_of always holds its entry
        for key in block_keys(entry.key.split()):
            _unpost(self._blocks, key, slot)
        if entry.domain:
            _unpost(self._by_domain, entry.domain, slot)
        if entry.vat:
            _unpost(self._by_vat, entry.vat, slot)
        self._entries[slot] = None
        self._keys[slot] = ""
        self._free.append(slot)
        return True

    # --- reads ----------------------------------------------------------------

    def check(
        self,
        query: Query | Record,
        *,
        threshold: float | None = None,
        exclude: Collection[tuple[Kind, RecordId]] = (),
    ) -> list[Match]:
        """The records ``query`` conflicts with, exact matches first, then by score.

        ``threshold`` overrides :attr:`MatchSettings.name_threshold`;
        ``exclude`` lists ``(kind, id)`` pairs never to report (the
        registration itself, when it is re-checked).
        """
        return self.check_with_stats(query, threshold=threshold, exclude=exclude)[0]

    def check_with_stats(
        self,
        query: Query | Record,
        *,
        threshold: float | None = None,
        exclude: Collection[tuple[Kind, RecordId]] = (),
    ) -> tuple[list[Match], CheckStats]:
        """:meth:`check`, and how the candidates were found."""
        settings = self.settings
        cutoff = settings.name_threshold if threshold is None else threshold
        if not 0 <= cutoff <= 100:
            raise ValueError("threshold must be between 0 and 100")
        reasons: dict[int, list[Reason]] = {}
        name_scores: dict[int, float] = {}

        vat = normalize_vat_for_matching(query.vat, query.country)
        for slot in _slots(self._by_vat.get(vat)) if vat else ():
            reasons.setdefault(slot, []).append("vat")
        domain = normalize_domain(query.domain)
        if domain and domain not in settings.ignored_domains:
            for slot in _slots(self._by_domain.get(domain)):
                reasons.setdefault(slot, []).append("domain")

        name = normalize_name(query.name)
        stats = CheckStats(0, 0, 0, 0)
        if name.key:
            candidates, stats = self._candidates(name.tokens)
            country = _country(query.country) if settings.cross_country_exact else ""
            spelling = _spelling(name)
            for slot, score in self._score(name.tokens, name.key, candidates, cutoff):
                other = self._entries[slot]
                if country and other is not None and other.country not in ("", country) and other.spelling != spelling:
                    continue  # a similar name in another country is another company unless spelt the same
                name_scores[slot] = round(score, 1)
                reasons.setdefault(slot, []).append("name")

        excluded = set(exclude)
        matches = []
        for slot, found in reasons.items():
            entry = self._entries[slot]
            if entry is None or (entry.kind, entry.record_id) in excluded:
                continue
            ordered = tuple(sorted(found, key=_REASON_ORDER.__getitem__))
            score = 100.0 if ordered[0] != "name" else name_scores[slot]
            matches.append(Match(entry.record_id, entry.kind, ordered[0], score, entry.owner, ordered))
        matches.sort(key=lambda m: (not m.exact, -m.score, m.kind, str(m.record_id)))
        return matches, stats

    def _score(
        self, tokens: Sequence[str], key: str, candidates: Sequence[int], cutoff: float
    ) -> Iterator[tuple[int, float]]:
        settings = self.settings
        all_keys = self._keys
        keys = [all_keys[slot] for slot in candidates]
        if settings.scorer is not None:
            for _, score, position in process.extract(
                key, keys, scorer=settings.scorer, score_cutoff=cutoff, limit=None
            ):
                yield candidates[position], float(score)
            return
        rough = process.extract(
            key,
            keys,
            scorer=fuzz.token_ratio,
            score_cutoff=max(0.0, cutoff - settings.prefilter_margin),
            limit=4 * settings.max_rescored,
        )
        if not rough:
            return
        if len(rough) > settings.max_rescored:
            # token_ratio scores a name inside a longer one 100 too: among equal rough scores, names
            # of the query's length first, or a common name's exact match may not be rescored at all.
            length = len(key)
            rough.sort(key=lambda found: (-found[1], abs(len(found[0]) - length)))
            del rough[settings.max_rescored :]
        seen: dict[str, tuple[float, bool]] = {}
        size = len(self)

        def weigh(token: str) -> tuple[float, bool]:
            """The word's weight, and whether a misspelling may pair it (it is in at most one name)."""
            if token not in seen:
                frequency = len(_slots(self._blocks.get(token))) if len(token) >= MIN_TOKEN_LENGTH else 0
                seen[token] = idf_weight(token, frequency, size), frequency <= 1
            return seen[token]

        query_weights, query_rare = zip(*(weigh(token) for token in tokens), strict=True)
        for found, _, position in rough:
            other = found.split()
            if not other:
                continue
            other_weights, other_rare = zip(*(weigh(token) for token in other), strict=True)
            score = weighted_token_score(tokens, query_weights, other, other_weights, query_rare, other_rare)
            if round(score, 1) >= cutoff:  # the reported score is rounded: compare what is reported
                yield candidates[position], score

    def _candidates(self, tokens: Sequence[str]) -> tuple[list[int], CheckStats]:
        settings = self.settings
        budget = settings.max_candidates
        postings: list[tuple[int, str, int, Sequence[int]]] = []  # size, key, which word, slots
        for word, token in enumerate(dict.fromkeys(tokens)):
            for key in token_keys(token):
                found = self._blocks.get(key)
                if found is not None:
                    slots = _slots(found)
                    postings.append((len(slots), key, word, slots))
        postings.sort(key=lambda posting: (posting[0], posting[1]))
        chosen: set[int] = set()
        used = 0
        for size, _, _, slots in postings:  # 1. every record under a rare key, rarest first
            if size > settings.max_block_size or len(chosen) + size > budget:
                break
            chosen.update(slots)
            used += 1  # noqa: SIM113 - counts only the keys taken, and the loop may break
        # 2. records under two common keys of different words ("Kapital Ruger": "*uger" and "kapital")
        common = [posting for posting in postings if settings.max_block_size < posting[0] <= settings.max_intersected]
        pairs = sorted(
            ((a[0] + b[0], a[1], b[1], a[3], b[3]) for a, b in combinations(common, 2) if a[2] != b[2]),
            key=lambda pair: pair[:3],
        )
        intersections = 0
        for _, _, _, smaller, larger in pairs[: settings.max_intersections]:
            both = set(smaller).intersection(larger)
            if both and len(chosen) + len(both) <= budget:
                chosen |= both
                intersections += 1
        if not chosen and postings and postings[0][0] <= settings.max_scanned:
            chosen.update(postings[0][3])  # 3. one common word and nothing else: scan its records
            used = 1
        return sorted(chosen), CheckStats(len(postings), used, intersections, len(chosen))
