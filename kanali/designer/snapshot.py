"""A program's whole design, loaded once and frozen as one JSON-safe dict.

Publishing stores the dict in a :class:`DesignVersion`; the handbook, the
brochure, the public page and the portal page render from it. Rows keep the
shape :func:`kanali.designer.services.items_replace` accepts (references as
names and e-mails), and labels are not frozen, so an old version still renders
in either language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model

from kanali.core.models import Membership, Program
from kanali.designer import selectors
from kanali.designer.models import CanvasItem, Design
from kanali.designer.steps import STEPS, Collection

#: Bumped when the dict's shape changes, so renderers can tell old versions apart.
SCHEMA = 1

#: Reference fields and what to join so reading them costs no query per row.
_JOINS = {"owner": "owner__user", "member": "member__user", "success_factor": "success_factor", "tier": "tier"}


@dataclass
class DesignData:
    """The design row and every collection's rows, read with a fixed number of queries."""

    program: Program
    design: Design
    rows: dict[str, list[Any]]


def load_rows(program: Program, collections: Iterable[Collection]) -> dict[str, list[Any]]:
    """The rows of the given collections: one query each, the canvas' lists in one (plus its links)."""
    collections = list(collections)
    canvas_kinds = [c.fixed["kind"] for c in collections if c.model is CanvasItem]
    canvas = list(selectors.canvas_items(program).filter(kind__in=canvas_kinds)) if canvas_kinds else []
    rows: dict[str, list[Any]] = {}
    for collection in collections:
        if collection.model is CanvasItem:
            rows[collection.key] = [item for item in canvas if item.kind == collection.fixed["kind"]]
            continue
        qs = collection.queryset(program)
        joins = [_JOINS[name] for name in collection.fields if name in _JOINS]
        rows[collection.key] = list(qs.select_related(*joins) if joins else qs)
    return rows


def load_design(program: Program) -> DesignData:
    """Read the whole draft design with a fixed number of queries."""
    rows = load_rows(program, (c for step in STEPS for c in step.collections))
    return DesignData(program=program, design=selectors.get_design(program), rows=rows)


def jsonable(value: Any) -> Any:
    """A JSON-safe value: decimals as strings, dates as ISO 8601."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _member_email(member: Membership | None) -> str | None:
    return member.user.email if member is not None else None


def row_data(collection: Collection, obj: Model) -> dict[str, Any]:
    """One row with readable references (names, e-mails): the shape ``items_replace`` accepts."""
    row: dict[str, Any] = {}
    for name in collection.fields:
        if name == "tier":
            row[name] = obj.tier.name  # type: ignore[attr-defined]
        elif name in ("owner", "member"):
            row[name] = _member_email(getattr(obj, name))
        elif name == "success_factor":
            factor = obj.success_factor  # type: ignore[attr-defined]
            row[name] = factor.name if factor is not None else None
        elif name == "addresses":
            row[name] = [target.text for target in obj.addresses.all()]  # type: ignore[attr-defined]
        else:
            row[name] = jsonable(getattr(obj, name))
    return row


def _people(data: DesignData) -> dict[str, str]:
    """Display names of the staff the design names, keyed by e-mail (the channel chief's mailto, owners)."""
    people: dict[str, str] = {}
    for key in ("capabilities", "channel_team"):
        for obj in data.rows.get(key, []):
            member = getattr(obj, "owner", None) or getattr(obj, "member", None)
            if member is not None:
                people[member.user.email] = member.user.display_name
    return people


def build_snapshot(program: Program, data: DesignData | None = None) -> dict[str, Any]:
    """The whole design as a JSON-safe dict: design fields, every collection via ``STEPS``, and the people named."""
    data = data or load_design(program)
    design = data.design
    return {
        "schema": SCHEMA,
        "vendor": {"name": program.vendor.name, "slug": program.vendor.slug},
        "program": {"name": program.name, "slug": program.slug},
        "design": {name: jsonable(getattr(design, name)) for step in STEPS for name in step.design_fields},
        "collections": {
            collection.key: [row_data(collection, obj) for obj in data.rows[collection.key]]
            for step in STEPS
            for collection in step.collections
        },
        "people": _people(data),
    }
