"""The partner portal's home panel "Leads waiting for you": offers to answer, soonest deadline first."""

from __future__ import annotations

from kanali.core.portal import Widget, register_widget
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace
from kanali.leads import selectors
from kanali.leads.models import Offer

#: Offers listed on the home page; the rest are on "My leads".
SHOWN = 5


@register_widget
def leads_waiting(ws: Workspace) -> Widget | None:
    """Pending offers of the partner's partnerships (two queries), or nothing when there are none."""
    if not ws.can(Perm.WORK_LEADS):
        return None
    offers = list(
        Offer.objects.for_vendor(ws.vendor)
        .filter(status=Offer.Status.PENDING, partnership__in=selectors.own_partnerships(ws))
        .select_related("lead")
        .order_by("deadline", "pk")[: SHOWN + 1]
    )
    if not offers:
        return None
    return Widget("leads/portal_widget.html", {"offers": offers[:SHOWN], "more": len(offers) > SHOWN}, 5)
