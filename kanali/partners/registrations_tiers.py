"""Registrations of the tiers area: the portal-home tier panel.

No metric functions are registered here: the metrics tier requirements use
(revenue and deals won, certified people, lead acceptance, …) are computed
from data the deals, enablement and leads apps own, and each of them
registers its own with ``kanali.designer.metrics.register`` when it ships.
Until then those metrics are "not measured yet" and never met.
"""

from __future__ import annotations

from kanali.core.portal import Widget, register_widget
from kanali.core.workspace import Workspace
from kanali.partners.selectors_tiers import partner_tier_statuses


@register_widget
def tier_panel(workspace: Workspace) -> Widget | None:
    """The partner's tier, benefits, progress toward the next tier and any scheduled demotion."""
    if not workspace.is_partner:
        return None
    statuses = partner_tier_statuses(workspace)
    if not statuses:
        return None
    return Widget("partners/tiers_widget.html", {"ws": workspace, "statuses": statuses}, order=10)
