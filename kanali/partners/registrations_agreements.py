"""Registrations of agreements and onboarding: the built-in onboarding rules and two portal-home panels."""

from __future__ import annotations

from kanali.core.models import Partnership
from kanali.core.portal import Widget, register_widget
from kanali.core.roles import Role
from kanali.core.workspace import Workspace
from kanali.partners import selectors_agreements as sel
from kanali.partners.models_agreements import OnboardingStep

sel.register_onboarding_rule(OnboardingStep.Kind.PROFILE, sel.profile_rule)
sel.register_onboarding_rule(OnboardingStep.Kind.COLLEAGUE, sel.colleague_rule)
# The deals app records the first deal (services_agreements.record_first_deal); leads can add a rule of its own.
sel.register_onboarding_rule(OnboardingStep.Kind.FIRST_DEAL_OR_LEAD, sel.first_deal_rule)


@register_widget
def agreements_to_accept(ws: Workspace) -> Widget | None:
    """Open items: the current agreement versions the partner has not accepted yet."""
    items = sel.open_agreements(ws)
    if not items:
        return None
    return Widget("partners/agreements_widget.html", {"items": items, "overdue": any(i.overdue for i in items)}, 10)


@register_widget
def onboarding_checklist(ws: Workspace) -> Widget | None:
    """The checklist of each program the partner is still onboarding in."""
    onboarding = (Partnership.Status.APPROVED, Partnership.Status.ONBOARDING)
    lists = sel.partner_checklists(ws, statuses=onboarding)
    if not lists:
        return None
    return Widget("partners/onboarding_widget.html", {"lists": lists, "can_tick": ws.role == Role.PARTNER_ADMIN}, 20)
