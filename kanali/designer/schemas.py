"""API shapes of programs and their design, and the conversion of design rows to plain data.

A step travels as ``{"design": {field: value}, "collections": {key: [rows]}}``
both ways: what ``GET …/design/{step}`` returns can be edited and sent back
with ``PUT``. Rows carry readable references instead of ids (a tier by name,
a person by e-mail, a success factor by name, the pains and gains a reliever
addresses by text); rows are matched to stored ones by their natural key.
Decimals are strings and dates ISO 8601.

No ``from __future__ import annotations`` here: django-ninja reads the real types.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from ninja import Field, Schema
from pydantic import ConfigDict

from kanali.core.models import Program
from kanali.designer import selectors
from kanali.designer.models import CanvasItem
from kanali.designer.steps import Collection, Step

# --- Programs ------------------------------------------------------------------


class ProgramOut(Schema):
    id: int
    name: str
    slug: str
    status: str
    created_at: datetime


class ProgramDetailOut(ProgramOut):
    #: The number of the design version partners and the public see, if any.
    published_version: int | None = None


# --- Design --------------------------------------------------------------------


class StepOut(Schema):
    key: str
    number: int
    title: str
    design: dict[str, Any]
    collections: dict[str, list[dict[str, Any]]]


class DesignOut(Schema):
    program: ProgramOut
    updated_at: datetime | None
    steps: list[StepOut]


class StepIn(Schema):
    """One step's answers; omitted fields and collections stay as they are, a listed collection is replaced."""

    model_config = ConfigDict(extra="forbid")

    design: dict[str, Any] = {}
    collections: dict[str, list[dict[str, Any]]] = {}


class ErrorOut(Schema):
    detail: Any


class StepStatusOut(Schema):
    key: str
    number: int
    title: str
    required: bool
    complete: bool
    #: What is missing, in the request's language; empty when complete.
    reason: str


class CheckOut(Schema):
    key: str
    kind: str  # "success_factor" or "failure_point"
    title: str
    status: str  # "ok", "warning" or "unknown"
    explanation: str
    #: The step that fixes it; empty when the fix is about versions.
    step_key: str


class ReadinessOut(Schema):
    complete_steps: int
    total_steps: int
    #: Whether every step publishing needs is complete.
    publishable: bool
    steps: list[StepStatusOut]
    checks: list[CheckOut]


class PublishIn(Schema):
    model_config = ConfigDict(extra="forbid")

    change_note: str = Field(min_length=1, max_length=2000)
    #: Publish even though the previous version is less than 90 days old.
    confirm_frequent: bool = False


class VersionOut(Schema):
    number: int
    change_note: str
    published_at: datetime
    published_by: str | None

    @staticmethod
    def resolve_published_by(obj: Any) -> str | None:
        return obj.published_by.email if obj.published_by_id else None


class MetricOut(Schema):
    key: str
    label: str
    unit: str


class CollectionInfoOut(Schema):
    key: str
    label: str
    fields: list[str]
    natural_key: list[str]


class StepInfoOut(Schema):
    key: str
    number: int
    title: str
    why: str
    required: bool
    design_fields: list[str]
    collections: list[CollectionInfoOut]


def step_info(step: Step) -> dict[str, Any]:
    return {
        "key": step.key,
        "number": step.number,
        "title": str(step.title),
        "why": str(step.why),
        "required": step.required,
        "design_fields": list(step.design_fields),
        "collections": [
            {"key": c.key, "label": str(c.label), "fields": list(c.fields), "natural_key": list(c.natural_key)}
            for c in step.collections
        ],
    }


# --- Rows as plain data ----------------------------------------------------------

#: Reference fields and the related rows to join so no row costs a query.
_RELATED = {"tier": "tier", "owner": "owner__user", "member": "member__user", "success_factor": "success_factor"}


def plain(value: Any) -> Any:
    """A JSON-safe value: decimals as strings, dates as ISO 8601."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def row_data(collection: Collection, obj: Model) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name in collection.fields:
        if name == "addresses":
            row[name] = [target.text for target in obj.addresses.all()]  # type: ignore[attr-defined]
        elif name in ("owner", "member"):
            person = getattr(obj, name)
            row[name] = person.user.email if person else None
        elif name in ("tier", "success_factor"):
            related = getattr(obj, name)
            row[name] = related.name if related else None
        else:
            row[name] = plain(getattr(obj, name))
    return row


def _collection_rows(program: Program, collections: tuple[Collection, ...]) -> dict[str, list[dict[str, Any]]]:
    """Every listed collection's rows, in a fixed number of queries whatever their size."""
    rows: dict[str, list[dict[str, Any]]] = {c.key: [] for c in collections}
    canvas = [c for c in collections if c.model is CanvasItem]
    if canvas:
        by_kind = {c.fixed["kind"]: c for c in canvas}
        items = selectors.canvas_items(program).filter(kind__in=list(by_kind))
        for item in items:
            collection = by_kind[item.kind]
            rows[collection.key].append(row_data(collection, item))
    for collection in collections:
        if collection.model is CanvasItem:
            continue
        qs: QuerySet = collection.queryset(program)
        related = [_RELATED[name] for name in collection.fields if name in _RELATED]
        if related:
            qs = qs.select_related(*related)
        rows[collection.key] = [row_data(collection, obj) for obj in qs]
    return rows


def step_data(program: Program, step: Step) -> dict[str, Any]:
    return design_data(program, (step,))["steps"][0]  # type: ignore[no-any-return]


def design_data(program: Program, steps: tuple[Step, ...]) -> dict[str, Any]:
    design = selectors.get_design(program)
    rows = _collection_rows(program, tuple(c for step in steps for c in step.collections))
    return {
        "program": program,
        "updated_at": design.updated_at if design.pk else None,
        "steps": [
            {
                "key": step.key,
                "number": step.number,
                "title": str(step.title),
                "design": {name: plain(getattr(design, name)) for name in step.design_fields},
                "collections": {c.key: rows[c.key] for c in step.collections},
            }
            for step in steps
        ],
    }
