from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kanali.core import money


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("10.005", "EUR", Decimal("10.01")),  # half-up, not banker's rounding
        ("10.0049", "EUR", Decimal("10.00")),
        ("1999.5", "JPY", Decimal("2000")),
        ("1.2345", "KWD", Decimal("1.235")),
        ("-2.345", "EUR", Decimal("-2.35")),  # clawbacks round away from zero like the line they reverse
    ],
)
def test_quantize_uses_the_currency_minor_unit_half_up(amount: str, currency: str, expected: Decimal) -> None:
    assert money.quantize(Decimal(amount), currency) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.234,50", Decimal("1234.50")), ("1,234.50", Decimal("1234.50")), ("12,5", Decimal("12.5")), (" 300 ", 300)],
)
def test_parse_amount_reads_greek_and_english_separators(text: str, expected: Decimal) -> None:
    assert money.parse_amount(text) == expected


@pytest.mark.parametrize("text", ["abc", "-5", "NaN", "Infinity", "1" * 16])
def test_parse_amount_refuses_bad_input_with_a_message(text: str) -> None:
    with pytest.raises(ValidationError):
        money.parse_amount(text)


def test_currencies_are_iso_4217() -> None:
    assert money.clean_currency(" eur ") == "EUR"
    with pytest.raises(ValidationError):
        money.clean_currency("XYZ")
    codes = [code for code, _ in money.currency_choices()]
    assert codes[0] == "EUR"
    assert len(codes) == len(set(codes))


def test_format_money() -> None:
    assert money.format_money(Decimal("1234.5"), "EUR") == "1,234.50 EUR"
    assert money.format_money(None, "EUR") == ""
