"""Conflict detection for deal registrations: a pure, database-free engine.

:mod:`.normalize` turns names, domains and VAT numbers into matching keys;
:mod:`.blocking` files names under a few keys; :mod:`.scoring` scores two
names; :mod:`.index` holds a vendor's records and answers "what does this
registration conflict with?" in a few milliseconds, however many there are.
"""

from .index import CheckStats, ConflictIndex, Match, MatchSettings, Query, Record

__all__ = ["CheckStats", "ConflictIndex", "Match", "MatchSettings", "Query", "Record"]
