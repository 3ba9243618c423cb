"""Small request helpers."""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client address; behind a proxy, Django's SECURE_PROXY_SSL_HEADER setups set REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR") or None
