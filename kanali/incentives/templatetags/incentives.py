"""Template filters of the incentives pages: money in its currency's minor unit, in the active language's format."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

from kanali.core.money import minor_units, quantize

register = template.Library()


@register.filter
def money(value: Any, currency: str = "EUR") -> str:
    """``1234.5|money:"EUR"`` → ``1,234.50`` (``1.234,50`` in Greek); JPY has no decimals."""
    if value in (None, ""):
        return "—"
    amount = quantize(Decimal(str(value)), currency or "EUR")
    return number_format(amount, minor_units(currency or "EUR"), use_l10n=True, force_grouping=True)


@register.filter
def pct(value: Any) -> str:
    """A percentage without trailing zeros: ``12.50`` → ``12.5``."""
    if value in (None, ""):
        return "—"
    number = Decimal(str(value)).normalize()
    places = max(0, -number.as_tuple().exponent)  # type: ignore[operator]
    return number_format(number, places, use_l10n=True)
