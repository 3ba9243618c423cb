"""Validators shared by forms, services and the API."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError


def normalize_vat(value: str, country: str = "") -> str:
    """Return the VAT number in its compact EU form (``EL094014201``).

    A Greek number typed without its prefix gets ``EL`` from the country.
    Raises :class:`ValidationError` when the check digits are wrong.
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    compact = "".join(ch for ch in raw.upper() if ch.isalnum())
    if compact[:2].isdigit() and country:
        prefix = "EL" if country.upper() == "GR" else country.upper()
        compact = prefix + compact
    if compact.startswith("GR"):
        compact = "EL" + compact[2:]
    try:
        return eu_vat.validate(compact)
    except StdnumError as exc:
        raise ValidationError(
            _("%(value)s is not a valid EU VAT number."), code="invalid_vat", params={"value": raw}
        ) from exc
