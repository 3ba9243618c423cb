"""Reading lead files: CSV and XLSX tables, column presets for CRM exports, and the column mapping.

Pure functions with no database: :mod:`kanali.leads.services_intake` checks
and imports what they return. A mapping is ``{lead field: column heading}``;
a preset lists, per lead field, the headings a CRM's export uses for it (the
first one present in the file wins), so a Salesforce or HubSpot export maps
itself and a person only fixes what is left.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: Largest file and number of data rows one import takes (a bigger list goes in several files).
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000

#: What a column can fill, in the order the mapping form shows them. ``first_name``/``last_name``
#: join into the contact's name; ``mobile`` stands in for a missing phone; ``website`` gives the
#: company's domain for duplicate checks when the e-mail is a mailbox provider's.
IMPORT_FIELDS: dict[str, Any] = {
    "company": gettext_lazy("Company"),
    "contact_name": gettext_lazy("Contact name"),
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "email": gettext_lazy("E-mail"),
    "phone": gettext_lazy("Phone"),
    "mobile": gettext_lazy("Mobile phone"),
    "website": gettext_lazy("Website"),
    "country": gettext_lazy("Country"),
    "region": gettext_lazy("Region (ISO 3166-2 or name)"),
    "city": gettext_lazy("City"),
    "postal_code": gettext_lazy("Postal code"),
    "latitude": gettext_lazy("Latitude"),
    "longitude": gettext_lazy("Longitude"),
    "industry": gettext_lazy("Industry"),
    "product": gettext_lazy("Product interest"),
    "estimated_value": gettext_lazy("Estimated value"),
    "currency": gettext_lazy("Currency"),
    "language": gettext_lazy("Language"),
    "campaign": gettext_lazy("Campaign code"),
    "notes": gettext_lazy("Notes"),
    "external_id": gettext_lazy("ID in the source system"),
}
REQUIRED_COLUMNS = ("company", "country")

#: Lead field → the headings a CRM export uses for it, preferred first.
PRESETS: dict[str, dict[str, tuple[str, ...]]] = {
    # Our own template: the columns are our field names (see :func:`template_csv`).
    "kanali": {name: (name,) for name in IMPORT_FIELDS},
    # A Salesforce Lead report export (Reports → Leads → Export, "Details only"); the Data Import
    # Wizard's labels ("Company", "Postal Code", "Currency ISO Code") are accepted too.
    "salesforce": {
        "external_id": ("Lead ID",),
        "first_name": ("First Name",),
        "last_name": ("Last Name",),
        "contact_name": ("Full Name", "Name"),
        "company": ("Company / Account", "Company"),
        "email": ("Email",),
        "phone": ("Phone",),
        "mobile": ("Mobile", "Mobile Phone"),
        "website": ("Website",),
        "country": ("Country", "Country Code"),
        "region": ("State/Province", "State/Province Code", "State"),
        "city": ("City",),
        "postal_code": ("Zip/Postal Code", "Postal Code", "Zip"),
        "latitude": ("Latitude",),
        "longitude": ("Longitude",),
        "industry": ("Industry",),
        "campaign": ("Lead Source",),
        "currency": ("Lead Currency", "Currency ISO Code"),
        "notes": ("Description",),
    },
    # A HubSpot contacts / leads export (Contacts → Export, "properties in view" or all).
    "hubspot": {
        "external_id": ("Record ID", "Contact ID"),
        "first_name": ("First Name",),
        "last_name": ("Last Name",),
        "company": ("Company Name", "Associated Company"),
        "email": ("Email",),
        "phone": ("Phone Number",),
        "mobile": ("Mobile Phone Number",),
        "website": ("Website URL",),
        "country": ("Country/Region", "Country"),
        "region": ("State/Region",),
        "city": ("City",),
        "postal_code": ("Postal Code", "Zip"),
        "industry": ("Industry",),
        "language": ("Preferred language",),
        "campaign": ("Original Source", "Original Traffic Source"),
        "currency": ("Currency",),
        "notes": ("Message", "Notes"),
    },
}
PRESET_CHOICES = (
    ("", gettext_lazy("Recognise the columns")),
    ("salesforce", gettext_lazy("Salesforce lead export")),
    ("hubspot", gettext_lazy("HubSpot contacts export")),
    ("kanali", gettext_lazy("Kanali template")),
)

_SPACES = re.compile(r"\s+")


def heading_key(text: str) -> str:
    """Headings compare without case or extra spaces ("Zip/Postal  code" = "zip/postal code")."""
    return _SPACES.sub(" ", str(text)).strip().casefold()


# --- Reading a file ---------------------------------------------------------------------------


def read_table(content: bytes, filename: str) -> tuple[list[str], list[list[str]]]:
    """``(headings, rows)`` of a CSV or XLSX file; each row as long as the headings, cells as stripped text.

    Raises ``ValidationError`` with a message for the person who uploaded it:
    wrong type, too big, unreadable, no headings, no rows, too many rows.
    """
    name = (filename or "").lower()
    if len(content) > MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB; split it into several files.") % {"mb": MAX_BYTES // (1024 * 1024)},
            code="too_big",
        )
    if name.endswith((".csv", ".txt", ".tsv")):
        table = _read_csv(content)
    elif name.endswith((".xlsx", ".xlsm")):
        table = _read_xlsx(content)
    elif name.endswith(".xls"):
        raise ValidationError(_("Old Excel files (.xls) cannot be read: save it as .xlsx or CSV."), code="file_type")
    else:
        raise ValidationError(_("Upload a CSV or an Excel (.xlsx) file."), code="file_type")
    if not any(any(row) for row in table[:50]):
        raise ValidationError(_("The file is empty."), code="empty")
    headings = [_SPACES.sub(" ", h).strip() for h in table[0]]
    while headings and not headings[-1]:
        headings.pop()
    if not headings:
        raise ValidationError(_("The first row must hold the column headings."), code="no_headings")
    width = len(headings)
    rows = [(row + [""] * width)[:width] for row in table[1:]]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise ValidationError(_("The file has headings but no rows."), code="empty")
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            _("The file has %(n)d rows; import at most %(max)d at a time.") % {"n": len(rows), "max": MAX_ROWS},
            code="too_many_rows",
        )
    return headings, rows


def _decode(content: bytes) -> str:
    """UTF-8 (with or without BOM); else Windows Greek or Western, told apart by how the accented bytes sit."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    high = [i for i, b in enumerate(content) if b >= 0xC0]
    # Greek words are runs of high bytes; Western text has an accent here and there between ASCII letters.
    joined = sum(1 for i in high if (i + 1 < len(content) and content[i + 1] >= 0xC0) or (content[i - 1] >= 0xC0))
    encodings = ("cp1253", "cp1252") if high and joined * 2 > len(high) else ("cp1252", "cp1253")
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def _read_csv(content: bytes) -> list[list[str]]:
    text = _decode(content)
    sample = text[:20_000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=";,\t|")
    except csv.Error:
        first = sample.split("\n", 1)[0]
        dialect = csv.excel
        best = max((";", ",", "\t"), key=first.count)
        if first.count(best):
            dialect = type("Sniffed", (csv.excel,), {"delimiter": best})
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise ValidationError(_("The CSV file could not be read: %(error)s") % {"error": exc}, code="bad_csv") from exc


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float):
        # Excel keeps phone numbers and postal codes typed as numbers as floats: 306912345678.0.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, XML and KeyError alike on a damaged or renamed file
        raise ValidationError(_("The Excel file could not be read."), code="bad_xlsx") from exc
    try:
        sheet = workbook.worksheets[0]
        table: list[list[str]] = []
        for row in sheet.iter_rows(values_only=True):
            table.append([_cell_text(v) for v in row])
            if len(table) > MAX_ROWS + 2:
                break
        return table
    finally:
        workbook.close()


# --- Mapping columns to fields ----------------------------------------------------------------


def preset_mapping(headings: list[str], preset: str) -> dict[str, str]:
    """``{field: heading}`` for the preset's headings found in the file."""
    present = {heading_key(h): h for h in headings if h}
    mapping: dict[str, str] = {}
    for field, names in PRESETS[preset].items():
        # Our template also takes the fields' labels ("Contact name"; in Greek when the page is in Greek).
        candidates = (*names, field.replace("_", " "), str(IMPORT_FIELDS[field])) if preset == "kanali" else names
        for candidate in candidates:
            found = present.get(heading_key(candidate))
            if found is not None:
                mapping[field] = found
                break
    return mapping


def detect_preset(headings: list[str]) -> str:
    """The preset that recognises most of the file's headings (the Kanali template on a tie)."""
    scores = {name: len(preset_mapping(headings, name)) for name in ("kanali", "salesforce", "hubspot")}
    return max(scores, key=lambda name: scores[name])


def resolve_mapping(
    headings: list[str], *, preset: str = "", mapping: Mapping[str, str] | None = None
) -> tuple[str, dict[str, str]]:
    """``(preset, {field: heading})``: the person's own mapping if given, else the preset's (detected if empty).

    Raises ``ValidationError`` for an unknown preset or field, a heading the
    file does not have, or a mapping without the company and country columns.
    """
    if mapping:
        present = set(headings)
        chosen = {str(f): str(h) for f, h in mapping.items() if h}
        unknown = sorted(set(chosen) - set(IMPORT_FIELDS))
        if unknown:
            raise ValidationError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)}, code="mapping")
        missing = sorted(h for h in chosen.values() if h not in present)
        if missing:
            raise ValidationError(
                _("The file has no column %(columns)s.") % {"columns": ", ".join(f"“{h}”" for h in missing)},
                code="mapping",
            )
        preset = "custom"
    else:
        if preset and preset not in PRESETS:
            raise ValidationError(_("Unknown column preset “%(preset)s”.") % {"preset": preset}, code="preset")
        preset = preset or detect_preset(headings)
        chosen = preset_mapping(headings, preset)
    missing_fields = [f for f in REQUIRED_COLUMNS if f not in chosen]
    if missing_fields:
        raise ValidationError(
            _("Choose the column for: %(fields)s.")
            % {"fields": ", ".join(str(IMPORT_FIELDS[f]) for f in missing_fields)},
            code="mapping",
        )
    return preset, chosen


def column_positions(headings: list[str], mapping: Mapping[str, str]) -> dict[str, int]:
    """``{field: column index}`` (the first column of a repeated heading)."""
    first = {h: i for i, h in reversed(list(enumerate(headings)))}
    return {field: first[heading] for field, heading in mapping.items()}


def values_at(row: list[str], positions: Mapping[str, int]) -> dict[str, str]:
    """One row's ``{field: cell}`` by :func:`column_positions` (worked out once per file)."""
    return {field: row[i] for field, i in positions.items()}


def row_values(headings: list[str], row: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """One row's ``{field: cell}`` by the mapping."""
    return values_at(row, column_positions(headings, mapping))


def template_csv() -> str:
    """The Kanali template: our field names as headings and one example row."""
    example = {
        "company": "Acropolis Bakeries SA",
        "contact_name": "Eleni Papadaki",
        "email": "eleni@acropolis-bakeries.gr",
        "phone": "+30 210 123 4567",
        "website": "acropolis-bakeries.gr",
        "country": "GR",
        "region": "GR-I",
        "city": "Athens",
        "postal_code": "10558",
        "industry": "Retail",
        "product": "Cloud ledger",
        "estimated_value": "12000",
        "currency": "EUR",
        "language": "el",
        "campaign": "SPRING-EXPO",
        "notes": "Met at the trade fair",
        "external_id": "",
    }
    fields = [f for f in IMPORT_FIELDS if f not in {"first_name", "last_name", "mobile", "latitude", "longitude"}]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(fields)
    writer.writerow([example.get(f, "") for f in fields])
    return out.getvalue()
