from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kanali.core.notifications import unread_count
from kanali.core.selectors import list_programs
from kanali.core.workspace import list_workspaces


def workspace(request: HttpRequest) -> dict[str, Any]:
    """The acting workspace and, lazily, the switcher's entries."""
    user = getattr(request, "user", None)
    ws = getattr(request, "workspace", None)
    return {
        "workspace": ws,
        "workspace_links": SimpleLazyObject(lambda: list_workspaces(user) if user is not None else []),
        # The console sidebar lists the vendor's programs; read only if the page renders it.
        "console_programs": SimpleLazyObject(lambda: list(list_programs(ws)) if ws is not None else []),
        # The bell's count: one COUNT query, only when a page renders the bell.
        "notifications_unread": SimpleLazyObject(
            lambda: unread_count(user) if user is not None and user.is_authenticated else 0  # type: ignore[arg-type]
        ),
    }
