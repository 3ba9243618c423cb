"""The vendor's customer accounts: created by hand, by import, or from approved registrations and leads."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kanali.core import audit
from kanali.core.models import Organization
from kanali.core.workspace import Workspace
from kanali.deals.models import Account
from kanali.deals.services import require_vendor
from kanali.deals.validation import clean_country, clean_domain, clean_vat, collect


def clean_account(
    *, name: str, domain: str = "", vat_number: str = "", country: str = "", external_id: str = ""
) -> dict[str, Any]:
    """The account's fields cleaned, or a ValidationError with a message per field."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter the company's name.")]
    elif len(name) > 200:
        errors["name"] = [_("Use at most 200 characters.")]
    country_code = collect(errors, "country", clean_country, country, required=False) or ""
    host = collect(errors, "domain", clean_domain, domain) or ""
    vat = collect(errors, "vat_number", clean_vat, vat_number, country_code) or ""
    external_id = (external_id or "").strip()
    if len(external_id) > 80:
        errors["external_id"] = [_("Use at most 80 characters.")]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "domain": host, "vat_number": vat, "country": country_code, "external_id": external_id}


@transaction.atomic
def account_create(
    *,
    workspace: Workspace,
    name: str,
    domain: str = "",
    vat_number: str = "",
    country: str = "",
    external_id: str = "",
) -> Account:
    require_vendor(workspace)
    values = clean_account(name=name, domain=domain, vat_number=vat_number, country=country, external_id=external_id)
    if (
        values["external_id"]
        and Account.objects.for_vendor(workspace.vendor).filter(external_id=values["external_id"]).exists()
    ):
        raise ValidationError({"external_id": [_("Another account has this ID.")]})
    account = Account.objects.create(vendor=workspace.vendor, source=Account.Source.MANUAL, **values)
    audit.record(workspace=workspace, action="account.create", obj=account)
    return account


def account_from(
    *, vendor: Organization | int, name: str, domain: str, vat_number: str, country: str, source: str
) -> Account:
    """An account for a customer first met in a registration or lead (already validated there)."""
    vendor_id = vendor if isinstance(vendor, int) else vendor.pk
    return Account.objects.create(
        vendor_id=vendor_id,
        name=name[:200],
        domain=domain,
        vat_number=vat_number,
        country=country,
        source=source,
    )
