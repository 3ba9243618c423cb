"""Block keys: which records a name is compared with.

A record is filed under a few short keys computed from its normalised name;
a check scores only the records filed under the query's keys. For each
phonetic token of at least :data:`MIN_TOKEN_LENGTH` characters the keys are

- the token itself (``pliroforiki``): same word, any order, any legal form;
- for tokens of :data:`MIN_AFFIX_TOKEN_LENGTH` or more characters, its first
  and its last :data:`AFFIX_LENGTH` characters (``plir*``, ``*riki``): one
  typo leaves one of them intact in a long word.

Keys are pure functions of the name, so a database-backed store can persist
them in an indexed column and find the same candidates.

Which keys are *used* depends on how many records share them (the index
skips keys above its ``max_block_size``: "systems", "pliroforiki", "hellas"
block nothing in a large index), which is decided at query time from the
live posting lengths, i.e. the token document frequencies.
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_TOKEN_LENGTH = 3
MIN_AFFIX_TOKEN_LENGTH = 5
AFFIX_LENGTH = 4


def token_keys(token: str) -> tuple[str, ...]:
    """The block keys of one phonetic token (``()`` for short tokens)."""
    if len(token) < MIN_TOKEN_LENGTH:
        return ()
    if len(token) < MIN_AFFIX_TOKEN_LENGTH:
        return (token,)
    return (token, token[:AFFIX_LENGTH] + "*", "*" + token[-AFFIX_LENGTH:])


def block_keys(tokens: Iterable[str]) -> list[str]:
    """The distinct block keys of a normalised name's tokens."""
    keys: dict[str, None] = {}
    for token in tokens:
        for key in token_keys(token):
            keys[key] = None
    return list(keys)
