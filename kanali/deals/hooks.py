"""Hooks higher apps register on: a deal was won, or a win was reversed.

The deals services call them INSIDE their transaction, so whatever a hook
writes (incentives' commission and clawback lines) commits or rolls back with
the deal. Register with the decorators from the app's ``AppConfig.ready``::

    @on_deal_won
    def create_commission_lines(deal: Deal) -> None: ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kanali.deals.models import Deal

DealHook = Callable[["Deal"], None]

#: Called with a deal that has just been marked won (amount final, ``won_at`` set).
DEAL_WON: list[DealHook] = []
#: Called with a deal whose win was reversed (a won deal reopened or set lost); ``status`` is already the new one.
DEAL_WIN_REVERSED: list[DealHook] = []


def _register(registry: list[DealHook], func: DealHook) -> DealHook:
    if func not in registry:
        registry.append(func)
    return func


def on_deal_won(func: DealHook) -> DealHook:
    return _register(DEAL_WON, func)


def on_deal_win_reversed(func: DealHook) -> DealHook:
    return _register(DEAL_WIN_REVERSED, func)


def deal_won(deal: Deal) -> None:
    for func in DEAL_WON:
        func(deal)


def deal_win_reversed(deal: Deal) -> None:
    for func in DEAL_WIN_REVERSED:
        func(deal)
