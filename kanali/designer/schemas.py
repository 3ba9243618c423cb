"""API shapes of programs and their design, and the conversion of design rows to plain data.

A step travels as ``{"design": {field: value}, "collections": {key: [rows]}}``
both ways: what ``GET …/design/{step}`` returns can be edited and sent back
with ``PUT``. Rows carry readable references instead of ids (a tier by name,
a person by e-mail, a success factor by name, the pains and gains a reliever
addresses by text); rows are matched to stored ones by their natural key.
Decimals are strings and dates ISO 8601.

No ``from __future__ import annotations`` here: django-ninja reads the real types.
"""

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from kanali.core.models import Program
from kanali.designer import selectors
from kanali.designer.snapshot import jsonable, load_rows, row_data
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


def _collection_rows(program: Program, collections: tuple[Collection, ...]) -> dict[str, list[dict[str, Any]]]:
    """Every listed collection's rows as plain data, in a fixed number of queries whatever their size."""
    loaded = load_rows(program, collections)
    return {c.key: [row_data(c, obj) for obj in loaded[c.key]] for c in collections}


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
                "design": {name: jsonable(getattr(design, name)) for name in step.design_fields},
                "collections": {c.key: rows[c.key] for c in step.collections},
            }
            for step in steps
        ],
    }
