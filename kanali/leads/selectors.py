"""Reads of leads, offers, decisions and settings, always through the acting workspace.

Vendor staff see every lead of their programs. A partner workspace sees the
leads currently offered to or worked by one of its partnerships, and the
leads it was offered before (its own offers only); anything else is 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404

from kanali.core.models import Partnership, Program
from kanali.core.workspace import Workspace
from kanali.leads.models import Lead, LeadEvent, LeadSettings, Offer, RoutingDecision, RoutingProfile
from kanali.leads.routing import FEATURES, Mode, RoutingSettings, Weights, partner_view

#: Lead statuses a partner works in after accepting, plus the end states it reaches from there.
PARTNER_HELD = (Lead.Status.OFFERED, *Lead.WORKING_STATUSES, Lead.Status.CONVERTED, Lead.Status.DISQUALIFIED)


def own_partnerships(workspace: Workspace) -> QuerySet[Partnership]:
    """The partner organization's partnerships in this vendor's programs (empty for vendor staff)."""
    if not workspace.is_partner:
        return Partnership.objects.none()
    return Partnership.objects.for_vendor(workspace.vendor).filter(partner=workspace.organization)


def own_partnership_ids(workspace: Workspace) -> list[int]:
    return list(own_partnerships(workspace).values_list("pk", flat=True))


def list_leads(
    workspace: Workspace,
    *,
    program: Program | int | None = None,
    status: str | None = None,
    partnership: Partnership | int | None = None,
    q: str = "",
) -> QuerySet[Lead]:
    """Leads the workspace may see, newest first, with program and partner joined (no query per row)."""
    qs = Lead.objects.for_vendor(workspace.vendor).select_related("program", "partnership__partner")
    if workspace.is_partner:
        mine = own_partnerships(workspace)
        offered = Offer.objects.for_vendor(workspace.vendor).filter(lead=OuterRef("pk"), partnership__in=mine)
        qs = qs.filter(Q(partnership__in=mine, status__in=PARTNER_HELD) | Q(Exists(offered))).annotate(
            # What became of the partner's own latest offer: its status for a lead it no longer holds.
            own_offer_status=Subquery(offered.order_by("-offered_at", "-pk").values("status")[:1])
        )
    if program is not None:
        qs = qs.filter(program=program)
    if status:
        qs = qs.filter(status=status)
    if partnership is not None:
        qs = qs.filter(partnership=partnership)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(company__icontains=q) | Q(contact_name__icontains=q) | Q(email__icontains=q) | Q(city__icontains=q)
        )
    return qs


def get_lead(workspace: Workspace, lead_id: int) -> Lead:
    """One lead the workspace may see; 404 for another vendor's or another partner's."""
    return get_object_or_404(list_leads(workspace), pk=lead_id)


def partner_holds(workspace: Workspace, lead: Lead) -> bool:
    """Whether the lead is currently offered to or worked by the workspace's partnership."""
    return (
        workspace.is_partner
        and lead.partnership_id is not None
        and lead.status in PARTNER_HELD
        and lead.partnership_id in own_partnership_ids(workspace)
    )


def lead_history(workspace: Workspace, lead: Lead) -> list[LeadEvent]:
    """The lead's events, oldest first; a partner sees only events of its own partnership."""
    events = LeadEvent.objects.for_vendor(workspace.vendor).filter(lead=lead).select_related("actor", "partnership")
    if workspace.is_partner:
        events = events.filter(partnership__in=own_partnerships(workspace))
    return list(events.select_related("partnership__partner"))


def lead_offers(workspace: Workspace, lead: Lead) -> list[Offer]:
    """The lead's offers, newest first; a partner sees only its own."""
    offers = (
        Offer.objects.for_vendor(workspace.vendor)
        .filter(lead=lead)
        .select_related("partnership__partner", "responded_by")
    )
    if workspace.is_partner:
        offers = offers.filter(partnership__in=own_partnerships(workspace))
    return list(offers)


def pending_offer(lead: Lead) -> Offer | None:
    """The lead's offer waiting for an answer, if any (at most one, by constraint)."""
    return (
        Offer.objects.for_vendor(lead.vendor_id)
        .filter(lead=lead, status=Offer.Status.PENDING)
        .select_related("partnership__partner")
        .first()
    )


def list_decisions(
    workspace: Workspace, *, program: Program | int | None = None, lead: Lead | int | None = None
) -> QuerySet[RoutingDecision]:
    """The routing log: decisions newest first (vendor staff only)."""
    if not workspace.is_vendor:
        raise Http404
    qs = RoutingDecision.objects.for_vendor(workspace.vendor).select_related(
        "lead__program", "winner__partner", "actor"
    )
    if program is not None:
        qs = qs.filter(lead__program=program)
    if lead is not None:
        qs = qs.filter(lead=lead)
    return qs


def get_decision(workspace: Workspace, decision_id: int) -> RoutingDecision:
    return get_object_or_404(list_decisions(workspace), pk=decision_id)


def latest_decision(lead: Lead) -> RoutingDecision | None:
    return (
        RoutingDecision.objects.for_vendor(lead.vendor_id)
        .filter(lead=lead)
        .select_related("winner__partner")
        .order_by("-created_at", "-pk")
        .first()
    )


def explanation_for(workspace: Workspace, decision: RoutingDecision) -> dict[str, Any]:
    """What the workspace may see of a decision: all of it for staff, its own fit reasons for a partner."""
    if decision.vendor_id != workspace.vendor.pk:
        raise Http404
    if workspace.is_vendor:
        return dict(decision.explanation)
    mine = set(own_partnership_ids(workspace))
    pid = decision.winner_id if decision.winner_id in mine else None
    if pid is None:
        return {"partnership_id": None, "offered": False, "reasons": []}
    explanation = decision.explanation or {}
    if not explanation.get("top"):
        return {"partnership_id": pid, "offered": True, "reasons": []}
    return dict(partner_view(explanation, pid, offered=True))  # type: ignore[arg-type]


def offer_decision(workspace: Workspace, offer: Offer) -> dict[str, Any]:
    """The partner's view of the decision behind one of its offers (why it fits)."""
    if offer.decision_id is None:
        return {"partnership_id": offer.partnership_id, "offered": True, "reasons": []}
    decision = RoutingDecision.objects.for_vendor(workspace.vendor).filter(pk=offer.decision_id).first()
    if decision is None:
        return {"partnership_id": offer.partnership_id, "offered": True, "reasons": []}
    return explanation_for(workspace, decision)


# --- Settings and profiles --------------------------------------------------------------------


def get_lead_settings(program: Program) -> LeadSettings:
    """The program's lead settings, created with defaults the first time."""
    found, _created = LeadSettings.objects.for_vendor(program.vendor_id).get_or_create(
        vendor_id=program.vendor_id, program=program
    )
    return found


def routing_settings(program: Program, lead_settings: LeadSettings | None = None) -> RoutingSettings:
    """The engine's settings for the program (the stored weights over the engine's defaults)."""
    ls = lead_settings or get_lead_settings(program)
    return settings_from(ls)


def settings_from(ls: LeadSettings, *, top_n: int = 5) -> RoutingSettings:
    defaults = Weights()
    weights = {name: float(ls.weights.get(name, getattr(defaults, name))) for name in FEATURES}
    return RoutingSettings(
        weights=Weights(**weights),
        max_distance_km=float(ls.max_distance_km or 1),
        mode=Mode(ls.mode),
        top_n=top_n,
        response_horizon_hours=float(ls.acceptance_hours or 48),
    )


def get_routing_profile(partnership: Partnership) -> RoutingProfile:
    """The partnership's routing profile, created from its application, directory profile and country."""
    from kanali.leads.pool import default_profile_values, profile_sources

    found = RoutingProfile.objects.for_vendor(partnership.vendor_id).filter(partnership=partnership).first()
    if found is not None:
        return found
    partnership = Partnership.objects.for_vendor(partnership.vendor_id).select_related("partner").get(pk=partnership.pk)
    values = default_profile_values(partnership, profile_sources([partnership]).get(partnership.pk))
    profile, _created = RoutingProfile.objects.for_vendor(partnership.vendor_id).get_or_create(
        vendor_id=partnership.vendor_id, partnership=partnership, defaults=values
    )
    return profile


def partner_open_leads(workspace: Workspace) -> QuerySet[Lead]:
    """ "My leads": offers waiting for this partner (soonest deadline first), then leads it works."""
    if not workspace.is_partner:
        raise Http404
    mine = own_partnerships(workspace)
    pending = Offer.objects.for_vendor(workspace.vendor).filter(status=Offer.Status.PENDING, partnership__in=mine)
    return (
        Lead.objects.for_vendor(workspace.vendor)
        .filter(partnership__in=mine, status__in=(Lead.Status.OFFERED, *Lead.WORKING_STATUSES))
        .select_related("program", "partnership__partner")
        .prefetch_related(Prefetch("offers", queryset=pending, to_attr="pending_offers"))
        .annotate(
            waiting=Case(When(status=Lead.Status.OFFERED, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("waiting", "-updated_at", "-pk")
    )


def lead_programs(workspace: Workspace) -> QuerySet[Program]:
    """Programs of the vendor (for filters and forms)."""
    return Program.objects.for_vendor(workspace.vendor).order_by("name")
