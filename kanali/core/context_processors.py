from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kanali.core.workspace import list_workspaces


def workspace(request: HttpRequest) -> dict[str, Any]:
    """The acting workspace and, lazily, the switcher's entries."""
    user = getattr(request, "user", None)
    return {
        "workspace": getattr(request, "workspace", None),
        "workspace_links": SimpleLazyObject(lambda: list_workspaces(user) if user is not None else []),
    }
