"""The name score: words matched one to one, weighted by how rare they are.

Two companies that share their generic words ("Kori Emporiki" and "Kovi
Emporiki", "ΔΕΚΑ ΕΚΠΑΙΔΕΥΤΙΚΗ" and "ΔΕΖΑ ΕΚΠΑΙΔΕΥΤΙΚΗ") score 92 on plain
``ratio`` because the long common word carries the score; the one word that
tells them apart is short. Here every word of each name is paired with its
most similar word of the other (:func:`rapidfuzz.fuzz.ratio`, pairs below
:data:`PAIR_FLOOR` do not count), and each word weighs its inverse document
frequency in the index, so a typo in a rare word costs what it costs in that
word, and a different rare word sinks the score:

    score = 100 * sum(weight(pair) * similarity(pair)) / sum(weight(word) for every word of both names)

with a pair weighing the mean of its two words' weights and an unpaired
word counting in the denominator only. Word order does not matter, extra
generic words cost little, extra rare words cost a lot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rapidfuzz import fuzz

PAIR_FLOOR = 75.0
"""Two words less similar than this (``ratio``) are not a pair."""
SHORT_WORD = 4
"""Words shorter than this weigh proportionally less (initials, "de", "k")."""


def idf_weight(token: str, document_frequency: int, size: int) -> float:
    """The weight of a word found in ``document_frequency`` of ``size`` names."""
    weight = math.log((size + 1) / (document_frequency + 1)) + 1.0
    return weight * min(1.0, len(token) / SHORT_WORD)


def weighted_token_score(
    query: Sequence[str], query_weights: Sequence[float], other: Sequence[str], other_weights: Sequence[float]
) -> float:
    """The score (0–100) of two names given as words with their weights."""
    total = sum(query_weights) + sum(other_weights)
    if not total:
        return 0.0
    pairs = sorted(
        (
            (similarity, i, j)
            for i, word in enumerate(query)
            for j, candidate in enumerate(other)
            if (similarity := fuzz.ratio(word, candidate)) >= PAIR_FLOOR
        ),
        reverse=True,
    )
    used_query: set[int] = set()
    used_other: set[int] = set()
    matched = 0.0
    for similarity, i, j in pairs:
        if i in used_query or j in used_other:
            continue
        used_query.add(i)
        used_other.add(j)
        matched += similarity * (query_weights[i] + other_weights[j])  # twice the mean, as both count in total
    return matched / total
