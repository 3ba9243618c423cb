"""Hooks the leads app announces and higher apps (deals) fill: a lead converted.

``leads`` sits below ``deals`` and cannot import it; the deals app registers
a function with :func:`on_lead_converted` that creates a deal. Hooks run
inside the transaction that converts the lead, so a failing hook rolls the
conversion back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kanali.leads.models import Lead

LeadHook = Callable[["Lead"], None]

#: Called after a partner marked a lead converted.
LEAD_CONVERTED: list[LeadHook] = []


def on_lead_converted(hook: LeadHook) -> LeadHook:
    """Decorator: register ``hook(lead)``."""
    if hook not in LEAD_CONVERTED:
        LEAD_CONVERTED.append(hook)
    return hook


def lead_converted(lead: Lead) -> None:
    for hook in LEAD_CONVERTED:
        hook(lead)
