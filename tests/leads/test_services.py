"""The lead lifecycle through the services: route, offer, accept, decline, reassign, return, work the lead."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from kanali.core.models import AuditLog, Notification, Partnership
from kanali.leads import hooks, selectors, services
from kanali.leads.errors import LeadStateError
from kanali.leads.models import Lead, LeadEvent, Offer, RoutingDecision
from kanali.leads.tokens import offer_from_token, offer_link_token
from tests.conftest import World, workspace_for
from tests.factories import LeadFactory, PartnershipFactory, RoutingProfileFactory

THESSALONIKI = {"city": "Thessaloniki", "country": "GR", "lat": 40.6401, "lon": 22.9444}


@pytest.fixture
def setup(world: World) -> dict[str, Any]:
    """Acme's partner 1 works from Athens, partner 2 from Thessaloniki; both serve Greece."""
    a = world.a
    p1, p2 = a.partners
    RoutingProfileFactory(partnership=p1.partnership)
    RoutingProfileFactory(partnership=p2.partnership, offices=[THESSALONIKI])
    return {
        "a": a,
        "vendor": workspace_for(a.channel_manager, a.vendor),
        "p1": workspace_for(p1.admin, a.vendor, "partner"),
        "p2": workspace_for(p2.sales, a.vendor, "partner"),
        "p1_id": p1.partnership.pk,
        "p2_id": p2.partnership.pk,
    }


def offered(setup: dict[str, Any], **kwargs: Any) -> Lead:
    lead = LeadFactory(program=setup["a"].program, **kwargs)
    services.route_lead(workspace=setup["vendor"], lead=lead)
    lead.refresh_from_db()
    return lead


def test_routing_offers_to_the_nearest_partner_with_an_explanation(setup: dict[str, Any]) -> None:
    lead = offered(setup)
    assert lead.status == Lead.Status.OFFERED
    assert lead.partnership_id == setup["p1_id"]
    assert lead.attempts == 1
    decision = RoutingDecision.objects.for_vendor(lead.vendor_id).get(lead=lead)
    assert decision.winner_id == setup["p1_id"]
    assert decision.explanation["eligible"] == 2
    assert [c["partnership_id"] for c in decision.explanation["top"]] == [setup["p1_id"], setup["p2_id"]]
    offer = selectors.pending_offer(lead)
    assert offer is not None and offer.partnership_id == setup["p1_id"]
    assert offer.deadline - offer.offered_at == timedelta(hours=48)
    events = [e.action for e in LeadEvent.objects.for_vendor(lead.vendor_id).filter(lead=lead)]
    assert events == ["offered"]
    assert AuditLog.objects.filter(action="lead.offered", object_id=str(lead.pk)).exists()


def test_offer_notice_reaches_the_partner_with_one_click_links(
    setup: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        lead = offered(setup)
    admin = setup["a"].partners[0].admin
    assert Notification.objects.filter(recipient=admin, kind="lead.offered").count() == 1
    sent = [m for m in mail.outbox if admin.email in m.to]
    assert len(sent) == 1
    assert "/accept/" in sent[0].body and "/decline/" in sent[0].body
    assert lead.company in sent[0].subject
    # The partner 2 people are told nothing.
    assert not Notification.objects.filter(recipient=setup["a"].partners[1].admin).exists()


def test_accept_then_work_the_lead_to_conversion_calls_the_hook(setup: dict[str, Any]) -> None:
    lead = offered(setup)
    offer = services.offer_accept(workspace=setup["p1"], lead=lead)
    assert offer.status == Offer.Status.ACCEPTED
    lead.refresh_from_db()
    assert lead.status == Lead.Status.ACCEPTED and lead.partnership_id == setup["p1_id"]

    converted: list[int] = []
    hook = hooks.on_lead_converted(lambda lead: converted.append(lead.pk))
    try:
        services.lead_status_update(workspace=setup["p1"], lead=lead, status=Lead.Status.CONTACTED)
        services.lead_status_update(workspace=setup["p1"], lead=lead, status=Lead.Status.CONVERTED)
    finally:
        hooks.LEAD_CONVERTED.remove(hook)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED
    assert converted == [lead.pk]
    actions = [e.action for e in selectors.lead_history(setup["vendor"], lead)]
    assert actions == ["offered", "accepted", "contacted", "converted"]


def test_status_rules(setup: dict[str, Any]) -> None:
    lead = offered(setup)
    with pytest.raises(LeadStateError):  # not accepted yet
        services.lead_status_update(workspace=setup["p1"], lead=lead, status=Lead.Status.CONTACTED)
    services.offer_accept(workspace=setup["p1"], lead=lead)
    with pytest.raises(ValidationError) as exc:
        services.lead_status_update(workspace=setup["p1"], lead=lead, status=Lead.Status.DISQUALIFIED)
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.lead_status_update(workspace=setup["p1"], lead=lead, status="won")
    with pytest.raises(Http404):  # another partner does not see it at all
        selectors.get_lead(setup["p2"], lead.pk)
    services.lead_status_update(workspace=setup["p1"], lead=lead, status=Lead.Status.DISQUALIFIED, reason="No budget")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.DISQUALIFIED and lead.disqualify_reason == "No budget"
    with pytest.raises(LeadStateError):
        services.lead_status_update(workspace=setup["p1"], lead=lead, status=Lead.Status.CONVERTED)


def test_decline_goes_to_the_next_partner_and_never_back(setup: dict[str, Any]) -> None:
    lead = offered(setup)
    services.offer_decline(workspace=setup["p1"], lead=lead, reason="no_capacity", note="Busy month")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.OFFERED and lead.partnership_id == setup["p2_id"]
    assert lead.attempts == 2
    decision = selectors.latest_decision(lead)
    assert decision is not None and decision.kind == RoutingDecision.Kind.NEXT
    assert decision.explanation["eligible"] == 1
    declined = next(f for f in decision.explanation["excluded"] if f["filter"] == "declined_or_expired")
    assert declined["excluded"] == 1

    # Partner 2 declines too: nobody left, back to the vendor with an alert.
    services.offer_decline(workspace=setup["p2"], lead=lead, reason="not_a_fit")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.RETURNED and lead.partnership_id is None
    assert Notification.objects.filter(recipient=setup["a"].channel_manager, kind="lead.returned").exists()
    actions = [e.action for e in selectors.lead_history(setup["vendor"], lead)]
    assert actions == ["offered", "declined", "offered", "declined", "returned"]


def test_decline_needs_a_known_reason(setup: dict[str, Any]) -> None:
    lead = offered(setup)
    with pytest.raises(ValidationError):
        services.offer_decline(workspace=setup["p1"], lead=lead, reason="meh")
    assert selectors.pending_offer(lead) is not None


def test_max_attempts_returns_the_lead(setup: dict[str, Any]) -> None:
    a = setup["a"]
    services.lead_settings_update(workspace=setup["vendor"], program=a.program, data={"max_attempts": 1})
    lead = offered(setup)
    services.offer_decline(workspace=setup["p1"], lead=lead, reason="not_a_fit")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.RETURNED
    assert Offer.objects.for_vendor(a.vendor).filter(lead=lead).count() == 1


def test_answering_twice_or_someone_elses_offer_is_a_state_error(setup: dict[str, Any]) -> None:
    lead = offered(setup)
    with pytest.raises(LeadStateError):  # offered to partner 1, not 2 (it may not even see it)
        services.offer_accept(workspace=setup["p2"], lead=lead)
    services.offer_accept(workspace=setup["p1"], lead=lead)
    with pytest.raises(LeadStateError) as exc:
        services.offer_accept(workspace=setup["p1"], lead=lead)
    assert "already accepted" in exc.value.reason
    with pytest.raises(LeadStateError):
        services.offer_decline(workspace=setup["p1"], lead=lead, reason="spam")


def test_vendor_cannot_accept_and_partner_cannot_reassign(setup: dict[str, Any]) -> None:
    lead = offered(setup)
    with pytest.raises(PermissionDenied):
        services.offer_accept(workspace=setup["vendor"], lead=lead)
    with pytest.raises(PermissionDenied):
        services.lead_reassign(workspace=setup["p1"], lead=lead)
    with pytest.raises(PermissionDenied):
        services.route_leads(workspace=setup["p1"], leads=[lead])


def test_reassign_to_a_chosen_partner_withdraws_the_offer(setup: dict[str, Any]) -> None:
    lead = offered(setup)
    first = selectors.pending_offer(lead)
    decision = services.lead_reassign(workspace=setup["vendor"], lead=lead, partnership=setup["p2_id"])
    assert decision.kind == RoutingDecision.Kind.MANUAL and decision.winner_id == setup["p2_id"]
    assert first is not None
    first.refresh_from_db()
    assert first.status == Offer.Status.WITHDRAWN
    lead.refresh_from_db()
    assert lead.partnership_id == setup["p2_id"] and lead.status == Lead.Status.OFFERED
    # The partner it went to sees why it fits; the explanation it gets names nobody else.
    view = selectors.explanation_for(setup["p2"], decision)
    assert view["offered"] is True and view["partnership_id"] == setup["p2_id"]
    assert "top" not in view


def test_reassign_without_a_partner_reruns_the_engine_leaving_out_the_holder(setup: dict[str, Any]) -> None:
    lead = offered(setup)
    services.lead_reassign(workspace=setup["vendor"], lead=lead)
    lead.refresh_from_db()
    assert lead.partnership_id == setup["p2_id"]


def test_reassign_refuses_a_partner_outside_the_program(setup: dict[str, Any], world: World) -> None:
    lead = offered(setup)
    inactive = PartnershipFactory(program=setup["a"].program, status=Partnership.Status.SUSPENDED)
    for bad in (world.b.partners[0].partnership.pk, inactive.pk):
        with pytest.raises(ValidationError):
            services.lead_reassign(workspace=setup["vendor"], lead=lead, partnership=bad)
    assert selectors.pending_offer(lead) is not None


def test_return_to_queue(setup: dict[str, Any]) -> None:
    lead = offered(setup)
    services.lead_return(workspace=setup["vendor"], lead=lead)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.RETURNED and selectors.pending_offer(lead) is None
    with pytest.raises(LeadStateError):
        services.lead_return(workspace=setup["vendor"], lead=lead)
    # And routed again from the queue.
    services.route_lead(workspace=setup["vendor"], lead=lead)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.OFFERED


def test_suggest_mode_keeps_the_lead_for_a_person_to_pick(setup: dict[str, Any]) -> None:
    a = setup["a"]
    services.lead_settings_update(workspace=setup["vendor"], program=a.program, data={"mode": "suggest"})
    lead = offered(setup)
    assert lead.status == Lead.Status.NEW
    decision = selectors.latest_decision(lead)
    assert decision is not None and decision.kind == RoutingDecision.Kind.SUGGESTION and decision.winner_id is None
    assert decision.explanation["top"][0]["partnership_id"] == setup["p1_id"]
    assert selectors.pending_offer(lead) is None
    services.lead_reassign(workspace=setup["vendor"], lead=lead, partnership=setup["p1_id"])
    lead.refresh_from_db()
    assert lead.status == Lead.Status.OFFERED and lead.partnership_id == setup["p1_id"]
    # Declined: back to the queue with fresh suggestions (without partner 1), and the vendor is told.
    services.offer_decline(workspace=setup["p1"], lead=lead, reason="not_a_fit")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW and lead.partnership_id is None
    decision = selectors.latest_decision(lead)
    assert decision is not None and [c["partnership_id"] for c in decision.explanation["top"]] == [setup["p2_id"]]
    assert Notification.objects.filter(recipient=setup["a"].owner, kind="lead.returned").exists()


def test_sequential_mode_follows_the_first_ranking(setup: dict[str, Any]) -> None:
    a = setup["a"]
    services.lead_settings_update(workspace=setup["vendor"], program=a.program, data={"mode": "sequential"})
    lead = offered(setup)
    first = selectors.latest_decision(lead)
    assert first is not None and first.explanation["sequence"] == [setup["p1_id"], setup["p2_id"]]
    services.offer_decline(workspace=setup["p1"], lead=lead, reason="not_a_fit")
    lead.refresh_from_db()
    assert lead.partnership_id == setup["p2_id"]


def test_nobody_eligible_returns_with_an_alert(setup: dict[str, Any]) -> None:
    lead = offered(setup, country="CY", region="", city="Nicosia", latitude=35.17, longitude=33.36)
    assert lead.status == Lead.Status.RETURNED
    decision = selectors.latest_decision(lead)
    assert decision is not None and decision.explanation["eligible"] == 0
    assert Notification.objects.filter(recipient=setup["a"].owner, kind="lead.returned").exists()


def test_route_leads_in_bulk_respects_capacity_and_sends_a_digest(
    setup: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    a = setup["a"]
    profile = selectors.get_routing_profile(a.partners[0].partnership)
    profile.capacity = 3
    profile.save()
    leads = [LeadFactory(program=a.program) for _ in range(8)]
    with django_capture_on_commit_callbacks(execute=True):
        decisions = services.route_leads(workspace=setup["vendor"], leads=leads)
    assert len(decisions) == 8
    held = Lead.objects.for_vendor(a.vendor).filter(partnership_id=setup["p1_id"]).count()
    assert held == 3
    assert Lead.objects.for_vendor(a.vendor).filter(partnership_id=setup["p2_id"]).count() == 5
    # One digest per partner, not one notice per lead.
    assert Notification.objects.filter(recipient=a.partners[0].admin, kind="lead.offered").count() == 1
    assert Notification.objects.filter(recipient=a.partners[1].admin, kind="lead.offered").count() == 1
    # Routing twice changes nothing: the leads are no longer new.
    assert services.route_leads(workspace=setup["vendor"], leads=leads) == []


def test_route_leads_takes_one_program_and_the_vendors_own(setup: dict[str, Any], world: World) -> None:
    other = LeadFactory(program=world.b.program)
    with pytest.raises(Http404):
        services.route_leads(workspace=setup["vendor"], leads=[other])
    mixed = [LeadFactory(program=setup["a"].program), other]
    with pytest.raises(ValueError):
        services.route_leads(workspace=setup["vendor"], leads=mixed)


def test_signed_link_accepts_once(setup: dict[str, Any]) -> None:
    lead = offered(setup)
    offer = selectors.pending_offer(lead)
    assert offer is not None
    token = offer_link_token(offer, "accept")
    assert offer_from_token(token, "decline") is None  # bound to its action
    assert offer_from_token(token + "x", "accept") is None
    accepted = services.offer_accept_by_token(token=token)
    assert accepted.status == Offer.Status.ACCEPTED
    with pytest.raises(LeadStateError):
        services.offer_accept_by_token(token=token)
    with pytest.raises(LeadStateError):
        services.offer_decline_by_token(token="nonsense", reason="spam")


def test_signed_decline_link_routes_onwards(setup: dict[str, Any]) -> None:
    lead = offered(setup)
    offer = selectors.pending_offer(lead)
    assert offer is not None
    services.offer_decline_by_token(token=offer_link_token(offer, "decline"), reason="duplicate")
    lead.refresh_from_db()
    assert lead.partnership_id == setup["p2_id"]
    log = AuditLog.objects.filter(action="lead.decline", object_id=str(lead.pk)).get()
    assert log.actor_id is None and log.role == "system"


def test_settings_validation(setup: dict[str, Any]) -> None:
    program = setup["a"].program
    ws = setup["vendor"]
    bad = {
        "weights": {"distance": -1},
        "acceptance_hours": 0,
        "max_attempts": 11,
        "mode": "random",
        "colour": "blue",
        "partner_types": ["wizard"],
    }
    with pytest.raises(ValidationError) as exc:
        services.lead_settings_update(workspace=ws, program=program, data=bad)
    assert set(exc.value.message_dict) == set(bad)
    with pytest.raises(ValidationError):
        services.lead_settings_update(
            workspace=ws,
            program=program,
            data={
                "weights": dict.fromkeys(("distance", "tier"), 0)
                | {"specialization": 0, "performance": 0, "responsiveness": 0, "deal_size": 0, "fairness": 0}
            },
        )
    ls = services.lead_settings_update(
        workspace=ws, program=program, data={"weights": {"distance": 2}, "acceptance_hours": 24, "max_attempts": 5}
    )
    assert ls.weights["distance"] == 2 and ls.acceptance_hours == 24
    assert selectors.routing_settings(program).weights.distance == 2
    with pytest.raises(PermissionDenied):
        services.lead_settings_update(workspace=setup["p1"], program=program, data={"max_attempts": 2})


def test_acceptance_hours_set_the_deadline(setup: dict[str, Any]) -> None:
    services.lead_settings_update(workspace=setup["vendor"], program=setup["a"].program, data={"acceptance_hours": 6})
    lead = offered(setup)
    offer = selectors.pending_offer(lead)
    assert offer is not None and offer.deadline - offer.offered_at == timedelta(hours=6)


def test_routing_profile_update_by_vendor_and_partner(setup: dict[str, Any]) -> None:
    partnership = setup["a"].partners[0].partnership
    profile = services.routing_profile_update(
        workspace=setup["vendor"],
        partnership=partnership,
        data={"countries": ["gr", "CY"], "regions": ["GR-I"], "offices": [{"city": "Patras", "country": "GR"}]},
    )
    assert profile.countries == ["GR", "CY"]
    assert profile.offices[0]["city"] == "Patras" and round(profile.offices[0]["lat"]) == 38
    paused = (timezone.localdate() + timedelta(days=3)).isoformat()
    profile = services.routing_profile_update(
        workspace=setup["p1"], partnership=partnership, data={"capacity": 4, "paused_until": paused}
    )
    assert profile.capacity == 4
    with pytest.raises(ValidationError) as exc:
        services.routing_profile_update(workspace=setup["p1"], partnership=partnership, data={"countries": ["DE"]})
    assert "countries" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.routing_profile_update(
            workspace=setup["vendor"],
            partnership=partnership,
            data={"countries": ["XX"], "offices": [{"city": "Atlantis", "country": "GR"}], "capacity": -1},
        )
    assert set(exc.value.message_dict) == {"countries", "offices", "capacity"}
    with pytest.raises(Http404):  # partner 2 may not touch partner 1's profile
        services.routing_profile_update(workspace=setup["p2"], partnership=partnership, data={"capacity": 1})
    # Paused now: the next lead goes to partner 2.
    lead = offered(setup)
    assert lead.partnership_id == setup["p2_id"]


def test_profile_defaults_come_from_the_partner(world: World) -> None:
    a = world.a
    org = a.partners[0].org
    org.country = "CY"
    org.save()
    profile = selectors.get_routing_profile(a.partners[0].partnership)
    assert profile.countries == ["CY"]
    assert selectors.get_routing_profile(a.partners[0].partnership).pk == profile.pk


def test_lead_acceptance_rate_metric(setup: dict[str, Any]) -> None:
    from kanali.designer import metrics

    metric = metrics.get("lead_acceptance_rate")
    assert metric is not None and metric.compute is not None
    today = timezone.localdate()
    window = (today - timedelta(days=365), today)
    partnership = setup["a"].partners[0].partnership
    assert metric.compute(partnership, *window) is None  # nothing answered yet: not measured
    services.offer_accept(workspace=setup["p1"], lead=offered(setup))
    services.offer_decline(workspace=setup["p1"], lead=offered(setup), reason="not_a_fit")
    offered(setup)  # still pending: does not count
    assert metric.compute(partnership, *window) == Decimal("50.00")
    assert metric.compute(partnership, today - timedelta(days=30), today - timedelta(days=1)) is None
