"""The audit log, written by services inside their transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from kanali.core.models import AuditLog

if TYPE_CHECKING:
    from kanali.core.workspace import Workspace


def record(
    *,
    workspace: Workspace,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditLog:
    return AuditLog.objects.create(
        vendor=workspace.vendor,
        organization=workspace.organization,
        actor=workspace.user,
        role=workspace.role,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
        ip_address=workspace.ip,
    )


def diff(instance: models.Model, new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changes, as JSON-safe strings."""
    changed: dict[str, list[Any]] = {}
    for name, new in new_values.items():
        old = getattr(instance, name)
        if old != new:
            changed[name] = [_jsonable(old), _jsonable(new)]
    return changed


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
