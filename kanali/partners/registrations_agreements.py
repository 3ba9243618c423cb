"""Registrations of agreements and onboarding: the built-in onboarding rules and two portal-home panels."""

from __future__ import annotations

from kanali.core.hooks import on_organization_changed
from kanali.core.models import Organization, Partnership
from kanali.core.portal import Widget, register_widget
from kanali.core.roles import Role
from kanali.core.workspace import Workspace
from kanali.partners import selectors_agreements as sel
from kanali.partners.models_agreements import OnboardingStep
from kanali.partners.services_agreements import onboarding_refresh

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


@on_organization_changed
def refresh_onboarding(organization: Organization) -> None:
    """A partner completed its profile or a colleague joined: tick those steps, maybe activate."""
    # Deliberately across vendors: the organization's own partnerships in every program it belongs to.
    partnerships = Partnership.unscoped.filter(
        partner=organization, status__in=(Partnership.Status.APPROVED, Partnership.Status.ONBOARDING)
    )
    for partnership in partnerships:
        onboarding_refresh(partnership=partnership)
