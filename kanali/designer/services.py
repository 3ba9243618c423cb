"""Writes to a program's design; each use case is one transaction with an audit entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from kanali.core import audit
from kanali.core.models import Membership, Program
from kanali.core.roles import VENDOR_ROLES, Perm
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.designer.catalogues import CanvasKind
from kanali.designer.models import CanvasItem, Design, SuccessFactor, Tier
from kanali.designer.steps import STEPS, Collection, Step

DESIGN_FIELDS = frozenset(f for step in STEPS for f in step.design_fields)


def _check(workspace: Workspace, program: Program) -> None:
    require(workspace, Perm.MANAGE_PROGRAMS)
    if program.vendor_id != workspace.vendor.pk:
        raise PermissionDenied


def ensure_design(program: Program) -> Design:
    """The program's design row, created blank the first time it is needed."""
    design, _created = Design.objects.for_vendor(program.vendor_id).get_or_create(
        program=program, defaults={"vendor_id": program.vendor_id}
    )
    return design


def touch(program: Program) -> None:
    """Mark the draft as changed (collections do not touch the design row themselves)."""
    Design.objects.for_vendor(program.vendor_id).filter(program=program).update(updated_at=timezone.now())


@transaction.atomic
def design_update(*, workspace: Workspace, program: Program, values: dict[str, Any]) -> Design:
    """Change single-valued answers (e.g. the framework, SOSTAC, element switches)."""
    _check(workspace, program)
    unknown = set(values) - DESIGN_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    design = ensure_design(program)
    design = Design.objects.for_vendor(program.vendor_id).select_for_update().get(pk=design.pk)
    changes = audit.diff(design, values)
    for name, value in values.items():
        setattr(design, name, value)
    design.full_clean()
    design.save()
    if changes:
        audit.record(workspace=workspace, action="design.update", obj=program, changes=changes)
    return design


# --- Collections as data (API, examples, demo) --------------------------------


def _resolve(program: Program, collection: Collection, row: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """Turn a row's readable references (names, e-mails) into model values."""
    values = dict(row)
    addresses: list[Any] = []
    vendor_id = program.vendor_id
    if "tier" in values:
        tier = Tier.objects.for_vendor(vendor_id).filter(program=program, name=values["tier"]).first()
        if tier is None:
            raise ValidationError({"tier": _("No tier named “%(name)s”.") % {"name": values["tier"]}})
        values["tier"] = tier
    for name in ("owner", "member"):
        if values.get(name):
            member = Membership.objects.filter(
                organization_id=vendor_id, role__in=VENDOR_ROLES, user__email__iexact=values[name]
            ).first()
            if member is None:
                raise ValidationError({name: _("%(email)s is not on your staff.") % {"email": values[name]}})
            values[name] = member
        elif name in values:
            values[name] = None
    if values.get("success_factor"):
        factor = SuccessFactor.objects.for_vendor(vendor_id).filter(program=program, name=values["success_factor"])
        values["success_factor"] = factor.first()
        if values["success_factor"] is None:
            raise ValidationError({"success_factor": _("No success factor with that name.")})
    elif "success_factor" in values:
        values["success_factor"] = None
    if "addresses" in values:
        wanted = list(values.pop("addresses") or [])
        targets = CanvasItem.objects.for_vendor(vendor_id).filter(
            program=program, kind__in=[CanvasKind.PAIN, CanvasKind.GAIN], text__in=wanted
        )
        addresses = list(targets)
        missing = set(wanted) - {t.text for t in addresses}
        if missing:
            raise ValidationError(
                {"addresses": _("Not a pain or gain of this canvas: %(items)s") % {"items": ", ".join(sorted(missing))}}
            )
    return values, addresses


def _natural_key(collection: Collection, values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(values.get(name) for name in collection.natural_key)


@transaction.atomic
def items_replace(
    *, workspace: Workspace, program: Program, collection: Collection, rows: list[dict[str, Any]]
) -> list[Model]:
    """Make a collection hold exactly ``rows``.

    Rows are matched to existing ones by the collection's natural key and
    updated in place, so ids (and deals, partnerships or scores pointing at
    them) survive; rows not listed are deleted. All rows are validated before
    anything is written; an error names the row.
    """
    _check(workspace, program)
    existing = {}
    for obj in collection.queryset(program):
        key = tuple(
            getattr(obj, name).name if name == "tier" else getattr(obj, f"{name}_id" if name == "member" else name)
            for name in collection.natural_key
        )
        existing[key] = obj
    prepared: list[tuple[Model, list[Any]]] = []
    seen: set[tuple[Any, ...]] = set()
    errors: dict[str, Any] = {}
    for index, row in enumerate(rows):
        unknown = set(row) - set(collection.fields)
        if unknown:
            errors.update({f"{index}.{name}": [_("Unknown field.")] for name in sorted(unknown)})
            continue
        try:
            values, addresses = _resolve(program, collection, row)
        except ValidationError as exc:
            errors.update({f"{index}.{key}": value for key, value in exc.message_dict.items()})
            continue
        lookup = {**values}
        if "member" in lookup and lookup["member"] is not None:
            lookup["member"] = lookup["member"].pk
        if "tier" in lookup:
            lookup["tier"] = lookup["tier"].name
        key = _natural_key(collection, lookup)
        if key in seen:
            errors[f"{index}"] = [_("Listed twice.")]
            continue
        seen.add(key)
        obj = existing.get(key) or collection.model(vendor_id=program.vendor_id)
        if hasattr(obj, "program_id"):
            obj.program = program  # type: ignore[attr-defined,union-attr]
        for name, value in {**collection.fixed, **values}.items():
            setattr(obj, name, value)
        try:
            obj.full_clean(exclude=["addresses"])
        except ValidationError as exc:
            errors.update({f"{index}.{key}": value for key, value in exc.message_dict.items()})
            continue
        prepared.append((obj, addresses))
    if errors:
        raise ValidationError(errors)
    keep = {obj.pk for obj, _addr in prepared if obj.pk}
    for obj in existing.values():
        if obj.pk not in keep:
            obj.delete()
    saved = []
    for obj, addresses in prepared:
        obj.save()
        if isinstance(obj, CanvasItem) and "addresses" in collection.fields:
            obj.addresses.set(addresses)
        saved.append(obj)
    touch(program)
    audit.record(
        workspace=workspace,
        action="design.replace",
        obj=program,
        changes={collection.key: [len(existing), len(saved)]},
    )
    return saved


@transaction.atomic
def step_save(*, workspace: Workspace, program: Program, step: Step, design_form: Any, formsets: list[Any]) -> Design:
    """Save a step page: its single answers and each of its lists, all or nothing.

    The forms arrive validated; rows keep their ids so what points at them
    (deals at stages, partnerships at tiers) survives edits and renames.
    """
    _check(workspace, program)
    design = ensure_design(program)
    changes: dict[str, Any] = {}
    if design_form is not None and design_form.has_changed():
        changes.update(audit.diff(design, {f: design_form.cleaned_data[f] for f in design_form.changed_data}))
        design_form.instance = design
        for name in design_form.changed_data:
            setattr(design, name, design_form.cleaned_data[name])
        design.save()
    for formset in formsets:
        saved = formset.save()
        if saved or formset.deleted_objects:
            changes[formset.collection.key] = [
                f"{len(saved)} saved",
                f"{len(formset.deleted_objects)} removed",
            ]
    touch(program)
    if changes:
        audit.record(workspace=workspace, action=f"design.{step.key}", obj=program, changes=changes)
    return design
