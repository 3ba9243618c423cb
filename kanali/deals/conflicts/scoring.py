"""The name score: words matched one to one, weighted by how rare they are.

Two companies that share their generic words ("Kori Emporiki" and "Kovi
Emporiki", "ΔΕΚΑ ΕΚΠΑΙΔΕΥΤΙΚΗ" and "ΔΕΖΑ ΕΚΠΑΙΔΕΥΤΙΚΗ") score 92 on plain
``ratio`` because the long common word carries the score; the one word that
tells them apart is short. Here every word of each name is paired with its
most similar word of the other (:func:`rapidfuzz.fuzz.ratio`, pairs below
:data:`PAIR_FLOOR` do not count), and each word weighs its inverse document
frequency in the index, so a typo in a rare word costs what it costs in that
word, and a different rare word sinks the score:

    score = 100 * sum(weight(pair) * similarity(pair)) / (sum(weight(pair)) + sum(weight(unpaired word)))

with a pair weighing twice the lesser of its two words' weights (a misspelt
word is as telling as the word it misspells, not as rare as a word nobody
uses) and an unpaired word counting in the denominator only. Word order does not matter, extra
generic words cost little, extra rare words cost a lot.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .normalize import LEGAL_FORM_WORDS

PAIR_FLOOR = 75.0
"""Two words less similar than this (``ratio``) are not a pair."""
SHORT_WORD = 4
"""Words shorter than this weigh proportionally less (initials, "de", "k")."""


MINOR_WEIGHT = 0.15
"""How much a minor word (see :func:`is_minor`) left without a pair weighs, as a share of its weight."""


_SHORT_FORM = 5
_LONG_FORM = 9
#: Words of legal forms that are also trade words of company names ("Ανώνυμη Τεχνική Εταιρεία").
_TRADE_WORDS = frozenset({"texniki", "eboriki", "biomixaniki"})
_FORM_WORDS = tuple(sorted(LEGAL_FORM_WORDS - _TRADE_WORDS))
_SHORT_FORM_WORDS = tuple(word for word in _FORM_WORDS if len(word) <= _SHORT_FORM)
_LONG_FORM_WORDS = tuple(word for word in _FORM_WORDS if len(word) > _SHORT_FORM)


@lru_cache(maxsize=1 << 18)
def is_minor(token: str) -> bool:
    """A word that says little about which company it is when the other name lacks it.

    One or two letters (initials, what is left of a legal form after a typo:
    "Ε.Π.ΠΕ."), or a word a typo or two away from a legal form's word, which
    then escaped the legal-form stripping: one edit ("TAG" for "AG", "GmbB",
    "Lt", "Limitred"), two for words of nine letters or more
    ("ΜΟΝΟΠΡΥΟΣΤΠΗ"). A typo in the legal form should not sink a match.
    """
    if len(token) <= 2:
        return True
    edits = 2 if len(token) >= _LONG_FORM else 1
    words = _SHORT_FORM_WORDS if len(token) <= _SHORT_FORM else _LONG_FORM_WORDS
    return process.extractOne(token, words, scorer=OSA.distance, score_cutoff=edits) is not None


#: Vowels, and "x": Greeklish writes χ as "ch" (phonetic "x") or "h" (phonetic "i", as for η).
_NOT_SKELETON = str.maketrans("", "", "aeiouyx")


@lru_cache(maxsize=1 << 16)
def skeleton(token: str) -> str:
    """A phonetic word's consonants but "x", doubled ones once: "meletitiki" and "meletiki" give "mltk".

    Greeklish spellings of one word differ in vowels ("υ" as "y", "i" or "u") and in "χ" written
    "ch" or "h"; their skeletons agree.
    """
    return re.sub(r"(.)\1+", r"\1", token.translate(_NOT_SKELETON)) or token


def idf_weight(token: str, document_frequency: int, size: int) -> float:
    """The weight of a word found in ``document_frequency`` of ``size`` names."""
    weight = math.log((size + 1) / (document_frequency + 1)) + 1.0
    return weight * min(1.0, len(token) / SHORT_WORD)


def weighted_token_score(
    query: Sequence[str],
    query_weights: Sequence[float],
    other: Sequence[str],
    other_weights: Sequence[float],
    query_rare: Sequence[bool] | None = None,
    other_rare: Sequence[bool] | None = None,
) -> float:
    """The score (0–100) of two names given as words with their weights.

    A minor word (:func:`is_minor`) left without a pair counts for only
    :data:`MINOR_WEIGHT` of its weight. With ``query_rare`` and ``other_rare``
    (whether each word is rare: found in at most one name), two different
    words pair only if one of them is rare or they have the same consonants
    (:func:`skeleton`): a misspelling makes a word nobody else uses, and the
    Greeklish spellings of one word differ in vowels ("Meletitiki",
    "Melethtiki"), while two words many names use ("Μηχανολογική" and
    "Τεχνολογική", "Κυριάκας" and "Κυριακίτσας") are two words, however alike.
    """
    pairs = sorted(
        (
            (similarity, i, j)
            for i, word in enumerate(query)
            for j, candidate in enumerate(other)
            if (similarity := fuzz.ratio(word, candidate)) >= PAIR_FLOOR
            and (
                similarity == 100
                or query_rare is None
                or other_rare is None
                or query_rare[i]
                or other_rare[j]
                or skeleton(word) == skeleton(candidate)
            )
        ),
        reverse=True,
    )
    used_query: set[int] = set()
    used_other: set[int] = set()
    matched = 0.0
    total = 0.0
    for similarity, i, j in pairs:
        if i in used_query or j in used_other:
            continue
        used_query.add(i)
        used_other.add(j)
        # A misspelt word is as telling as the word it misspells, not as rare as a word nobody uses.
        weight = 2 * min(query_weights[i], other_weights[j])
        matched += similarity * weight
        total += weight
    for words, weights, used in ((query, query_weights, used_query), (other, other_weights, used_other)):
        for i, (word, word_weight) in enumerate(zip(words, weights, strict=True)):
            if i not in used:
                total += word_weight * MINOR_WEIGHT if is_minor(word) else word_weight
    if not total:
        return 0.0
    return matched / total
