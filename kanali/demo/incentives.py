"""Demo data of the incentives app (filled in by the incentives work)."""

from __future__ import annotations


def load() -> None:
    """Nothing yet."""
