"""Field checks shared by registrations, accounts and imports: one message per field, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_countries import countries

from kanali.core.validators import normalize_vat
from kanali.deals.conflicts.normalize import normalize_domain


def clean_country(value: str, *, required: bool = True) -> str:
    code = (value or "").strip().upper()
    if not code:
        if required:
            raise ValidationError(_("Choose the country."), code="required")
        return ""
    if code == "EL":
        code = "GR"
    if code not in dict(countries):
        # A country name instead of its code ("Greece").
        by_name = {str(name).lower(): c for c, name in countries}
        found = by_name.get(code.lower())
        if found is None:
            raise ValidationError(_("“%(value)s” is not a country code such as GR."), params={"value": value})
        code = found
    return code


def clean_domain(value: str) -> str:
    """A web address or e-mail address reduced to its host (``https://www.alfa.gr/x`` → ``alfa.gr``)."""
    raw = (value or "").strip()
    if not raw:
        return ""
    host = normalize_domain(raw)
    if not host or "." not in host:
        raise ValidationError(_("“%(value)s” is not a website address such as alfa.gr."), params={"value": raw})
    return host


def clean_vat(value: str, country: str) -> str:
    return normalize_vat(value, country)


T = TypeVar("T")


def collect(errors: dict[str, list[str]], field: str, func: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Call ``func``; on a ValidationError put its messages under ``field`` and return ``None``."""
    try:
        return func(*args, **kwargs)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
        return None
