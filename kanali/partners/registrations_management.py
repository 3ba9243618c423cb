"""Registrations of partner management: the portal-home panel that invites partner admins into the directory."""

from __future__ import annotations

from kanali.core.portal import Widget, register_widget
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace
from kanali.partners import selectors_management as selectors


@register_widget
def directory_panel(workspace: Workspace) -> Widget | None:
    """For partner admins: whether the company is listed in this vendor's locators, with a link to change it."""
    if not workspace.is_partner or not workspace.can(Perm.MANAGE_PARTNER_PROFILE):
        return None
    partnerships = selectors.portal_partnerships(workspace)
    listed = selectors.locator_listed_ids(workspace, [p.pk for p in partnerships])
    return Widget(
        template="partners/management_widget_directory.html",
        context={
            "listed": [p for p in partnerships if p.pk in listed],
            "unlisted": [p for p in partnerships if p.pk not in listed],
        },
        order=80,
    )
