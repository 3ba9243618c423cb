"""Importing the vendor's accounts from a CSV or XLSX file: Salesforce and HubSpot export presets.

The file is read with the leads app's reader (:func:`kanali.leads.importing.read_table`).
Every row is checked first; a dry run stops there and reports. A real run
writes every row or — when any row has an error — none: it is one
transaction. A row whose ``external_id`` matches an existing account
updates it (re-importing the same export does not duplicate), the others
are created in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanali.core import audit
from kanali.core.workspace import Workspace
from kanali.deals.models import Account
from kanali.deals.services import require_vendor
from kanali.deals.services_accounts import clean_account
from kanali.leads.importing import heading_key, read_table

ACCOUNT_FIELDS = ("name", "domain", "vat_number", "country", "external_id")

#: Account field → the headings an export uses for it, preferred first.
PRESETS: dict[str, dict[str, tuple[str, ...]]] = {
    "kanali": {name: (name,) for name in ACCOUNT_FIELDS},
    # Salesforce: an Accounts report export, or Data Loader's API names.
    "salesforce": {
        "external_id": ("Account ID", "Id"),
        "name": ("Account Name", "Name"),
        "domain": ("Website",),
        "vat_number": ("VAT Number", "VAT_Number__c", "VAT__c", "Tax ID"),
        "country": ("Billing Country", "Billing Country Code", "BillingCountry", "BillingCountryCode", "Country"),
    },
    # HubSpot: Companies → Export.
    "hubspot": {
        "external_id": ("Record ID", "Company ID"),
        "name": ("Company name", "Name"),
        "domain": ("Company Domain Name", "Website URL", "Domain"),
        "vat_number": ("VAT Number", "VAT number", "Tax ID"),
        "country": ("Country/Region", "Country"),
    },
}
PRESET_CHOICES = (
    ("", gettext_lazy("Recognise the columns")),
    ("salesforce", gettext_lazy("Salesforce accounts export")),
    ("hubspot", gettext_lazy("HubSpot companies export")),
    ("kanali", gettext_lazy("Kanali columns: name, domain, vat_number, country, external_id")),
)


@dataclass
class ImportResult:
    dry_run: bool
    preset: str
    row_count: int = 0
    created: int = 0
    updated: int = 0
    #: ``[{"row": n, "errors": {field: [messages]}}]``; row 0 is the file itself, rows count from 2 (after headings).
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "preset": self.preset,
            "row_count": self.row_count,
            "created": self.created,
            "updated": self.updated,
            "errors": self.errors,
        }


def mapping_for(headings: list[str], preset: str) -> tuple[str, dict[str, int]]:
    """``(preset used, {field: column index})``; with no preset, the one that recognises most columns."""
    keys = {heading_key(h): i for i, h in enumerate(headings)}

    def mapped(name: str) -> dict[str, int]:
        found = {}
        for account_field, candidates in PRESETS[name].items():
            for candidate in candidates:
                if heading_key(candidate) in keys:
                    found[account_field] = keys[heading_key(candidate)]
                    break
        return found

    if preset:
        if preset not in PRESETS:
            raise ValidationError({"preset": [_("Choose salesforce, hubspot or kanali.")]})
        return preset, mapped(preset)
    best = max(PRESETS, key=lambda name: (len(mapped(name)), name == "kanali"))
    return best, mapped(best)


def import_accounts(
    *, workspace: Workspace, content: bytes, filename: str, preset: str = "", dry_run: bool = True
) -> ImportResult:
    require_vendor(workspace)
    try:
        headings, rows = read_table(content, filename)
    except ValidationError as exc:
        return ImportResult(dry_run, preset, errors=[{"row": 0, "errors": {"file": exc.messages}}])
    used, columns = mapping_for(headings, preset)
    result = ImportResult(dry_run, used, row_count=len(rows))
    if "name" not in columns:
        result.errors.append(
            {"row": 0, "errors": {"file": [_("No column holds the company name (e.g. “Account Name”).")]}}
        )
        return result
    cleaned: list[dict[str, Any]] = []
    seen_ids: dict[str, int] = {}
    for n, row in enumerate(rows, start=2):
        raw = {name: row[i] for name, i in columns.items()}
        try:
            values = clean_account(**raw)
        except ValidationError as exc:
            result.errors.append({"row": n, "errors": exc.message_dict})
            continue
        ext = values["external_id"]
        if ext:
            if ext in seen_ids:
                result.errors.append(
                    {"row": n, "errors": {"external_id": [_("Row %(n)d has the same ID.") % {"n": seen_ids[ext]}]}}
                )
                continue
            seen_ids[ext] = n
        cleaned.append(values)
    if result.errors:
        return result
    with transaction.atomic():
        existing = {
            a.external_id: a
            for a in Account.objects.for_vendor(workspace.vendor)
            .select_for_update()
            .filter(external_id__in=list(seen_ids))
        }
        new, changed = [], []
        for values in cleaned:
            account = existing.get(values["external_id"]) if values["external_id"] else None
            if account is None:
                new.append(Account(vendor=workspace.vendor, source=Account.Source.IMPORT, **values))
            else:
                for key, value in values.items():
                    setattr(account, key, value)
                changed.append(account)
        result.created, result.updated = len(new), len(changed)
        if dry_run:
            return result
        Account.objects.bulk_create(new, batch_size=1000)
        if changed:
            now = timezone.now()
            for account in changed:
                account.updated_at = now
            Account.objects.for_vendor(workspace.vendor).bulk_update(
                changed, ["name", "domain", "vat_number", "country", "updated_at"], batch_size=1000
            )
        audit.record(
            workspace=workspace,
            action="account.import",
            changes={"file": filename[:200], "preset": used, "created": len(new), "updated": len(changed)},
        )
    return result
