"""django-axes glue: allauth authenticates with ``email=``, not ``username=``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def username_from_credentials(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None and hasattr(request, "POST"):
        value = request.POST.get("login")
    return value.strip().lower() if isinstance(value, str) else None
