"""Leads tests start with no cached candidate pools (pools live in process memory across tests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kanali.leads import pool


@pytest.fixture(autouse=True)
def _fresh_pools() -> Iterator[None]:
    pool.invalidate()
    yield
    pool.invalidate()
