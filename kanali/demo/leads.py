"""Demo data of the leads app (filled in by the leads work)."""

from __future__ import annotations


def load() -> None:
    """Nothing yet."""
