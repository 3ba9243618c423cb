"""Registrations of this area: the portal-home panel listing the company's pending applications."""

from __future__ import annotations

from kanali.core.portal import Widget, register_widget
from kanali.core.workspace import Workspace
from kanali.partners.selectors_applications import open_applications_of, status_token


@register_widget
def pending_applications(workspace: Workspace) -> Widget | None:
    """Other programs of this vendor the partner applied to and is still waiting on."""
    rows = list(open_applications_of(workspace))
    if not rows:
        return None
    return Widget(
        template="partners/applications_widget.html",
        context={"rows": [(a, status_token(a)) for a in rows]},
        order=40,
    )
