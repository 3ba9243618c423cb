"""Importing accounts: CRM presets, dry run, all-or-nothing, re-import updates, XLSX, and the API upload."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from kanali.core.models import AuditLog
from kanali.deals.imports import import_accounts
from kanali.deals.models import Account
from tests.conftest import World, api_key, workspace_for

pytestmark = pytest.mark.django_db

SALESFORCE = (
    "Account ID,Account Name,Website,Billing Country,VAT Number\n"
    "001A,ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ Α.Ε.,https://www.alfa.gr,Greece,EL094014201\n"
    "001B,Beta Systems GmbH,beta.de,DE,\n"
)
HUBSPOT = "Record ID;Company name;Company Domain Name;Country/Region\n77;Gamma Foods;gamma.example;IT\n"


def run(world: World, text: str, name: str = "accounts.csv", **kwargs: object):  # type: ignore[no-untyped-def]
    ws = workspace_for(world.a.owner, world.a.vendor)
    return import_accounts(workspace=ws, content=text.encode(), filename=name, **kwargs)  # type: ignore[arg-type]


def test_a_salesforce_export_is_recognised_and_a_dry_run_writes_nothing(world: World) -> None:
    result = run(world, SALESFORCE)
    assert (result.preset, result.row_count, result.created, result.errors) == ("salesforce", 2, 2, [])
    assert not Account.objects.for_vendor(world.a.vendor).exists()
    result = run(world, SALESFORCE, dry_run=False)
    rows = {a.external_id: a for a in Account.objects.for_vendor(world.a.vendor)}
    assert set(rows) == {"001A", "001B"}
    assert (rows["001A"].domain, rows["001A"].country, rows["001A"].vat_number) == ("alfa.gr", "GR", "EL094014201")
    assert rows["001B"].source == Account.Source.IMPORT
    entry = AuditLog.objects.get(action="account.import")
    assert entry.changes["created"] == 2


def test_reimporting_updates_by_id_instead_of_duplicating(world: World) -> None:
    run(world, SALESFORCE, dry_run=False)
    result = run(world, SALESFORCE.replace("Beta Systems GmbH", "Beta Systems AG"), dry_run=False)
    assert (result.created, result.updated) == (0, 2)
    names = sorted(Account.objects.for_vendor(world.a.vendor).values_list("name", flat=True))
    assert names == ["Beta Systems AG", "ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ Α.Ε."]
    assert not Account.objects.for_vendor(world.b.vendor).exists()


def test_any_bad_row_means_no_row_is_written(world: World) -> None:
    text = SALESFORCE + "001C,,nowhere,Atlantis,EL123\n001A,Duplicate id,,GR,\n"
    result = run(world, text, dry_run=False)
    assert [e["row"] for e in result.errors] == [4, 5]
    assert set(result.errors[0]["errors"]) == {"name", "country", "domain", "vat_number"}
    assert "external_id" in result.errors[1]["errors"]
    assert not Account.objects.for_vendor(world.a.vendor).exists()


def test_hubspot_preset_and_semicolons(world: World) -> None:
    result = run(world, HUBSPOT, preset="hubspot", dry_run=False)
    assert result.errors == [] and result.created == 1
    account = Account.objects.for_vendor(world.a.vendor).get()
    assert (account.name, account.domain, account.country, account.external_id) == (
        "Gamma Foods",
        "gamma.example",
        "IT",
        "77",
    )


def test_files_that_cannot_be_read_get_a_file_error(world: World) -> None:
    assert run(world, "x", name="accounts.pdf").errors[0]["errors"]["file"]
    assert run(world, "Foo,Bar\n1,2\n").errors[0]["errors"]["file"]  # no name column


def test_an_unknown_preset_is_a_field_error(world: World) -> None:
    with pytest.raises(ValidationError):
        run(world, SALESFORCE, preset="sap")


def test_xlsx(world: World) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "domain", "country", "external_id"])
    sheet.append(["Delta Marine", "delta.example", "GR", "D-1"])
    buffer = io.BytesIO()
    book.save(buffer)
    ws = workspace_for(world.a.owner, world.a.vendor)
    result = import_accounts(workspace=ws, content=buffer.getvalue(), filename="a.xlsx", dry_run=False)
    assert (result.preset, result.created) == ("kanali", 1)


def test_only_deal_managers_import(world: World) -> None:
    with pytest.raises(PermissionDenied):
        import_accounts(
            workspace=workspace_for(world.a.partners[0].admin, world.a.vendor, "partner"),
            content=SALESFORCE.encode(),
            filename="a.csv",
        )


def test_the_api_upload(world: World, client: Client) -> None:
    headers = {"Authorization": f"Bearer {api_key(world.a.owner, world.a.vendor)}"}

    def post(text: str, **data: object):  # type: ignore[no-untyped-def]
        upload = SimpleUploadedFile("accounts.csv", text.encode(), content_type="text/csv")
        return client.post("/api/v1/accounts/import", {"file": upload, **data}, headers=headers)

    dry = post(SALESFORCE)
    assert dry.status_code == 200 and dry.json()["dry_run"] is True and dry.json()["created"] == 2
    assert not Account.objects.for_vendor(world.a.vendor).exists()
    done = post(SALESFORCE, dry_run="false")
    assert done.status_code == 200 and done.json()["created"] == 2
    bad = post("Account Name,Billing Country\nX,Atlantis\n", dry_run="false")
    assert bad.status_code == 422 and bad.json()["detail"]["errors"][0]["row"] == 2
    partner = {"Authorization": f"Bearer {api_key(world.a.partners[0].admin, world.a.vendor, 'partner')}"}
    upload = SimpleUploadedFile("accounts.csv", SALESFORCE.encode(), content_type="text/csv")
    assert client.post("/api/v1/accounts/import", {"file": upload}, headers=partner).status_code == 403
