"""Template filters of the deals pages: money in its currency's minor unit, in the active language's format."""

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
    code = currency or "EUR"
    amount = quantize(Decimal(str(value)), code)
    return number_format(amount, minor_units(code), use_l10n=True, force_grouping=True)
