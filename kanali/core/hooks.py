"""Explicit hooks: lower apps announce a change, higher apps that care register a function.

``core`` and ``accounts`` cannot import the apps above them, so a change that
others must react to (a partner completing its company profile, a colleague
joining) is announced here, inside the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable

from kanali.core.models import Organization

OrganizationHook = Callable[[Organization], None]

#: Called after an organization's profile or membership changed.
ORGANIZATION_CHANGED: list[OrganizationHook] = []


def on_organization_changed(hook: OrganizationHook) -> OrganizationHook:
    """Decorator: register ``hook(organization)``."""
    if hook not in ORGANIZATION_CHANGED:
        ORGANIZATION_CHANGED.append(hook)
    return hook


def organization_changed(organization: Organization) -> None:
    for hook in ORGANIZATION_CHANGED:
        hook(organization)
