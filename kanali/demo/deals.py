"""Demo data of the deals app (filled in by the deals work)."""

from __future__ import annotations


def load() -> None:
    """Nothing yet."""
