"""Money: a Decimal amount and an ISO 4217 currency, always together, never a float.

Models store an amount in a ``DecimalField`` from :func:`amount_field` next to
a :class:`CurrencyField`; :func:`quantize` rounds to the currency's minor unit
(half-up, as invoices do), so a commission on a JPY deal has no cents and one
on a KWD deal has three decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import Any

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

#: Digits after the decimal point where it is not 2 (ISO 4217 minor units).
_MINOR_UNITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI"), 0),
    **dict.fromkeys(("VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}
#: Largest amount stored: 12 digits before the point (fits ``max_digits=15, decimal_places=3``).
MAX_DIGITS = 15
DECIMAL_PLACES = 3


@cache
def currency_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def currency_choices() -> list[tuple[str, str]]:
    """Common currencies first (EUR, USD, GBP, CHF …), then every ISO 4217 code."""
    first = ["EUR", "USD", "GBP", "CHF", "SEK", "DKK", "NOK", "PLN", "CZK", "HUF", "RON", "BGN"]
    rest = sorted(currency_codes() - set(first))
    return [(code, code) for code in first + rest]


def default_currency() -> str:
    return str(getattr(settings, "KANALI_DEFAULT_CURRENCY", "EUR"))


def validate_currency(value: str) -> None:
    if (value or "").upper() not in currency_codes():
        raise ValidationError(
            _("“%(code)s” is not an ISO 4217 currency code."), params={"code": value}, code="currency"
        )


def clean_currency(value: Any) -> str:
    code = str(value or "").strip().upper()
    validate_currency(code)
    return code


def minor_units(currency: str) -> int:
    return _MINOR_UNITS.get(currency.upper(), 2)


def quantize(amount: Decimal | int | str, currency: str) -> Decimal:
    """Round to the currency's minor unit, half-up."""
    exponent = Decimal(1).scaleb(-minor_units(currency))
    return Decimal(amount).quantize(exponent, rounding=ROUND_HALF_UP)


def parse_amount(value: Any) -> Decimal:
    """A non-negative Decimal from user input ("1.234,50" and "1,234.50" both read as 1234.50)."""
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int | float):
        amount = Decimal(str(value))
    else:
        text = str(value or "").strip().replace(" ", "").replace("\u00a0", "")
        if "," in text and "." in text:
            text = (
                text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
            )
        elif "," in text:
            text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("Enter an amount such as 1250.00."), code="amount") from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(_("Enter an amount of zero or more."), code="amount")
    if amount.adjusted() >= MAX_DIGITS - DECIMAL_PLACES:
        raise ValidationError(_("That amount is too large."), code="amount")
    return amount


def format_money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    return f"{quantize(amount, currency):,} {currency}"


class CurrencyField(models.CharField):
    """An ISO 4217 code, upper-case, validated."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("default", "EUR")
        kwargs.setdefault("validators", [validate_currency])
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        return name, path, args, kwargs


def amount_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    """A money amount column (pair it with a :class:`CurrencyField`)."""
    return models.DecimalField(verbose_name, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs)
