"""Writes of the lead lifecycle: route, offer, accept, decline, expire, remind, reassign, return, work a lead.

Every function is one transaction that locks the lead row first
(``select_for_update``), then changes the pending offer with a conditional
update (``status = pending`` in the ``WHERE``), and the database allows one
pending offer per lead (``offer_one_pending_per_lead``). So racing accept /
decline / expiry / reassign end with exactly one outcome, and a late expiry
task never overrides a newer state.

Routing reads the program's cached :class:`~kanali.leads.routing.CandidatePool`
(:mod:`kanali.leads.pool`) and writes in bulk: one ``bulk_create`` each for
decisions, offers, events and audit rows, and one ``UPDATE`` per (status,
partner) group of leads, so a 10,000-lead import routes in seconds.

Tasks act with ``workspace=None``: their audit rows name no person.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kanali.core import audit
from kanali.core.models import AuditLog, Organization, Partnership, Program
from kanali.core.roles import Perm
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.leads import hooks, notices, selectors
from kanali.leads import pool as pools
from kanali.leads.errors import LeadStateError
from kanali.leads.models import Lead, LeadEvent, LeadSettings, Offer, RoutingDecision
from kanali.leads.notices import (  # the links are part of this module's interface
    console_lead_url,
    console_queue_url,
    offer_link_url,
    portal_lead_url,
    portal_leads_url,
    quietly,
)
from kanali.leads.routing import Mode

if TYPE_CHECKING:
    from kanali.accounts.models import User

#: Statuses routing takes a lead from.
ROUTABLE = (Lead.Status.NEW, Lead.Status.RETURNED)
#: Status changes a partner may make after accepting.
PARTNER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Lead.Status.ACCEPTED: (
        Lead.Status.CONTACTED,
        Lead.Status.QUALIFIED,
        Lead.Status.CONVERTED,
        Lead.Status.DISQUALIFIED,
    ),
    Lead.Status.CONTACTED: (Lead.Status.QUALIFIED, Lead.Status.CONVERTED, Lead.Status.DISQUALIFIED),
    Lead.Status.QUALIFIED: (Lead.Status.CONVERTED, Lead.Status.DISQUALIFIED),
}
#: The event written for each outcome of routing.
_ROUTE_ACTIONS: dict[str, str] = {
    Lead.Status.OFFERED: "offered",
    Lead.Status.NEW: "suggested",
    Lead.Status.RETURNED: "returned",
}
#: Up to this many leads routed together get an audit row each; a larger batch gets one summary row.
_AUDIT_EACH_UP_TO = 50
#: Rows per UPDATE … WHERE pk IN (…), well under SQLite's variable limit.
_CHUNK = 2000
#: More offers than this to one partner in one run are announced as one digest, not one e-mail each.
_DIGEST_FROM = 2


# --- Small helpers ---------------------------------------------------------------------------------


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _actor(workspace: Workspace | None, actor: User | None) -> User | None:
    if actor is not None:
        return actor
    return workspace.user if workspace is not None else None


def _audit_row(
    workspace: Workspace | None, vendor_id: int, action: str, obj: Any, changes: dict | None = None
) -> AuditLog:
    """An audit row like ``audit.record`` writes; for system work (tasks, signed links) without a person."""
    return AuditLog(
        vendor_id=vendor_id,
        organization=workspace.organization if workspace is not None else None,
        actor=workspace.user if workspace is not None else None,
        role=workspace.role if workspace is not None else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes or {},
        ip_address=workspace.ip if workspace is not None else None,
    )


def _record(workspace: Workspace | None, vendor_id: int, action: str, obj: Any, changes: dict | None = None) -> None:
    if workspace is not None:
        audit.record(workspace=workspace, action=action, obj=obj, changes=changes)
    else:
        _audit_row(None, vendor_id, action, obj, changes).save()


def _event(
    lead: Lead,
    action: str,
    *,
    from_status: str = "",
    to_status: str = "",
    partnership_id: int | None = None,
    actor: User | None = None,
    note: str = "",
) -> LeadEvent:
    return LeadEvent(
        vendor_id=lead.vendor_id,
        lead=lead,
        action=action,
        from_status=from_status,
        to_status=to_status,
        partnership_id=partnership_id,
        actor=actor,
        note=note[:300],
    )


def _lock_lead(vendor_id: int, lead_id: int) -> Lead:
    lead = Lead.objects.for_vendor(vendor_id).select_for_update().filter(pk=lead_id).select_related("program").first()
    if lead is None:
        raise Http404
    return lead


def _excluded(vendor_id: int, leads: Sequence[Lead]) -> dict[int, set[int]]:
    """Per lead: partnerships that declined it or let it expire (only leads offered before need the query)."""
    ids = [lead.pk for lead in leads if lead.attempts]
    found: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(ids):
        rows = (
            Offer.objects.for_vendor(vendor_id)
            .filter(lead__in=list(chunk), status__in=(Offer.Status.DECLINED, Offer.Status.EXPIRED))
            .values_list("lead_id", "partnership_id")
        )
        for lead_id, pid in rows:
            found[lead_id].add(pid)
    return found


# --- Routing ------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """What routing decided for one lead, before the bulk writes."""

    lead: Lead
    from_status: str
    decision: RoutingDecision
    winner: int | None
    to_status: str


def _choose(
    *,
    decision_winner: int | None,
    ranked: Sequence[int] | None,
    mode: Mode,
    forced: int | None,
    sequence: Sequence[int] | None,
) -> int | None:
    if forced is not None:
        return forced
    if mode is Mode.SUGGEST:
        return None
    if mode is Mode.SEQUENTIAL and sequence and ranked is not None:
        eligible = set(ranked)
        for pid in sequence:
            if pid in eligible:
                return pid
    return decision_winner


def _route_locked(
    *,
    program: Program,
    leads: Sequence[Lead],
    kind: str,
    actor: User | None,
    workspace: Workspace | None,
    now: datetime,
    lead_settings: LeadSettings | None = None,
    excluded: Mapping[int, set[int]] | None = None,
    forced: Mapping[int, int] | None = None,
    alert: bool = True,
) -> list[RoutingDecision]:
    """Decide, offer and record for leads already locked by the caller (their ``status`` is the "from" state)."""
    if not leads:
        return []
    vendor_id = program.vendor_id
    ls = lead_settings or selectors.get_lead_settings(program)
    rs = selectors.settings_from(ls)
    excluded = excluded if excluded is not None else _excluded(vendor_id, leads)
    forced = forced or {}
    partner_types = [t for t in (ls.partner_types or []) if t]
    required = pools.required_certifications(program)
    sequences = _sequences(vendor_id, [lead for lead in leads if lead.attempts]) if rs.mode is Mode.SEQUENTIAL else {}
    deadline = now + timedelta(hours=ls.acceptance_hours)

    actor_id = actor.pk if actor is not None else None
    plans: list[_Plan] = []
    with pools.lock_for(program.pk):
        pool = pools.get_pool(program, now=now)
        for lead in leads:
            target = pools.lead_to_route(
                lead,
                excluded=excluded.get(lead.pk, ()),
                partner_types=partner_types or None,
                required_certifications=required,
            )
            decision = pool.decide(target, rs)
            force = forced.get(lead.pk)
            need_ranked = rs.mode is Mode.SEQUENTIAL and bool(sequences.get(lead.pk))
            winner = _choose(
                decision_winner=decision.winner,
                ranked=decision.ranked if need_ranked else None,
                mode=rs.mode,
                forced=force,
                sequence=sequences.get(lead.pk),
            )
            explanation: dict[str, Any] = dict(decision.explanation)
            if rs.mode is Mode.SEQUENTIAL and not lead.attempts and force is None:
                explanation["sequence"] = list(decision.ranked[: max(ls.max_attempts, 1)])
            if force is not None:
                explanation["picked"] = force
            if winner != explanation.get("winner"):
                explanation["winner"] = winner
            if winner is not None:
                to_status = Lead.Status.OFFERED
                decision_kind = kind
            elif rs.mode is Mode.SUGGEST and decision.explanation["eligible"]:
                to_status = Lead.Status.NEW
                decision_kind = RoutingDecision.Kind.SUGGESTION if kind == RoutingDecision.Kind.AUTOMATIC else kind
            else:
                to_status = Lead.Status.RETURNED
                decision_kind = kind
            plans.append(
                _Plan(
                    lead=lead,
                    from_status=lead.status,
                    decision=RoutingDecision(
                        vendor_id=vendor_id,
                        lead_id=lead.pk,
                        kind=decision_kind,
                        explanation=explanation,
                        winner_id=winner,
                        actor_id=actor_id,
                    ),
                    winner=winner,
                    to_status=to_status,
                )
            )
            if winner is not None:
                pools.note_offered(program.pk, winner, now)

    decisions = RoutingDecision.objects.bulk_create([p.decision for p in plans], batch_size=500)
    offered = [(p, p.winner) for p in plans if p.winner is not None]
    offers = [
        Offer(
            vendor_id=vendor_id,
            lead_id=p.lead.pk,
            partnership_id=winner,
            decision_id=p.decision.pk,
            attempt=p.lead.attempts + 1,
            status=Offer.Status.PENDING,
            offered_at=now,
            deadline=deadline,
        )
        for p, winner in offered
    ]
    offers = Offer.objects.bulk_create(offers, batch_size=500)
    cache_lead = Offer.lead.field.set_cached_value  # the notices read offer.lead; no query, no descriptor checks
    for offer, (p, _winner) in zip(offers, offered, strict=True):
        cache_lead(offer, p.lead)

    groups: dict[tuple[str, int | None, int], list[int]] = defaultdict(list)
    for p in plans:
        step = 1 if p.winner is not None else 0
        groups[(p.to_status, p.winner, step)].append(p.lead.pk)
        p.lead.status = p.to_status
        p.lead.partnership_id = p.winner
        p.lead.attempts += step
        p.lead.updated_at = now
    for (status, winner, step), ids in groups.items():
        for chunk in _chunks(ids):
            Lead.objects.for_vendor(vendor_id).filter(pk__in=list(chunk)).update(
                status=status, partnership_id=winner, attempts=F("attempts") + step, updated_at=now
            )

    no_one = _("No eligible partner.")
    events = [
        LeadEvent(
            vendor_id=vendor_id,
            lead_id=p.lead.pk,
            action=_ROUTE_ACTIONS[p.to_status],
            from_status=p.from_status,
            to_status=p.to_status,
            partnership_id=p.winner,
            actor_id=actor_id,
            note=no_one if p.to_status == Lead.Status.RETURNED else "",
        )
        for p in plans
    ]
    LeadEvent.objects.bulk_create(events, batch_size=1000)
    _audit_routing(workspace, program, plans)

    notices.announce_offers(program, offers)
    returned = [p.lead for p in plans if p.to_status == Lead.Status.RETURNED]
    if returned and alert:
        notices.alert_returned(program, returned, reason=_("no partner was eligible"))
    waiting = [p.lead for p in plans if p.to_status == Lead.Status.NEW and kind == RoutingDecision.Kind.NEXT]
    if waiting and alert:
        # Suggest mode: the partner a person picked said no; the lead waits for the next pick.
        notices.alert_returned(program, waiting, reason=_("the partner you picked did not take it"))
    _schedule(offers)
    return decisions


def _audit_routing(workspace: Workspace | None, program: Program, plans: Sequence[_Plan]) -> None:
    """One audit row per lead for a few leads; one summary row for a batch (an import), naming the range."""
    if len(plans) <= _AUDIT_EACH_UP_TO:
        AuditLog.objects.bulk_create(
            [
                _audit_row(
                    workspace,
                    program.vendor_id,
                    f"lead.{_ROUTE_ACTIONS[p.to_status]}",
                    p.lead,
                    {"partnership": p.winner, "kind": p.decision.kind},
                )
                for p in plans
            ]
        )
        return
    counts: dict[str, int] = defaultdict(int)
    for p in plans:
        counts[_ROUTE_ACTIONS[p.to_status]] += 1
    ids = [p.lead.pk for p in plans]
    changes = {"leads": len(plans), **counts, "first_lead": min(ids), "last_lead": max(ids)}
    _audit_row(workspace, program.vendor_id, "lead.route_batch", program, changes).save()


def _sequences(vendor_id: int, leads: Sequence[Lead]) -> dict[int, list[int]]:
    """The ranking stored by each lead's first sequential decision (one query)."""
    if not leads:
        return {}
    found: dict[int, list[int]] = {}
    rows = (
        RoutingDecision.objects.for_vendor(vendor_id)
        .filter(lead__in=[lead.pk for lead in leads])
        .order_by("lead_id", "created_at", "pk")
        .values_list("lead_id", "explanation")
    )
    for lead_id, explanation in rows:
        if lead_id not in found and isinstance(explanation, dict) and explanation.get("sequence"):
            found[lead_id] = [int(pid) for pid in explanation["sequence"]]
    return found


def route_leads(
    *,
    workspace: Workspace | None,
    leads: Sequence[Lead],
    actor: User | None = None,
    kind: str = RoutingDecision.Kind.AUTOMATIC,
    now: datetime | None = None,
) -> list[RoutingDecision]:
    """Route new and returned leads of one program: decide, store the explanation, offer (or suggest, or return).

    ``workspace`` is the vendor's (import, form, API) or ``None`` for the
    public web form and tasks. Leads in other statuses are left alone.
    """
    leads = list(leads)
    if not leads:
        return []
    if workspace is not None:
        require(workspace, Perm.MANAGE_LEADS)
        if not workspace.is_vendor:
            raise PermissionDenied
    program_ids = {lead.program_id for lead in leads}
    if len(program_ids) != 1:
        raise ValueError("route_leads takes the leads of one program at a time")
    vendor_id = leads[0].vendor_id
    if workspace is not None and workspace.vendor.pk != vendor_id:
        raise Http404
    now = now or timezone.now()
    with transaction.atomic():
        locked: list[Lead] = []
        for chunk in _chunks([lead.pk for lead in leads]):
            locked.extend(
                Lead.objects.for_vendor(vendor_id)
                .select_for_update()
                .filter(pk__in=list(chunk), status__in=ROUTABLE)
                .order_by("pk")
            )
        if not locked:
            return []
        program = Program.objects.for_vendor(vendor_id).get(pk=program_ids.pop())
        decisions = _route_locked(
            program=program,
            leads=locked,
            kind=kind,
            actor=_actor(workspace, actor),
            workspace=workspace,
            now=now,
        )
    by_id = {lead.pk: lead for lead in locked}
    for lead in leads:  # keep the caller's objects in step with the rows
        fresh = by_id.get(lead.pk)
        if fresh is not None:
            lead.status, lead.partnership_id, lead.attempts = fresh.status, fresh.partnership_id, fresh.attempts
    return decisions


def route_lead(*, workspace: Workspace | None, lead: Lead, actor: User | None = None) -> RoutingDecision:
    """Route one new or returned lead; :class:`LeadStateError` when it is not waiting to be routed."""
    decisions = route_leads(workspace=workspace, leads=[lead], actor=actor)
    if not decisions:
        raise LeadStateError(_("This lead is not waiting to be routed."))
    return decisions[0]


def _route_next(
    *,
    lead: Lead,
    workspace: Workspace | None,
    actor: User | None,
    now: datetime,
    excluded: set[int],
) -> RoutingDecision | None:
    """After a decline or expiry: the next candidate, or back to the vendor after the last attempt."""
    ls = selectors.get_lead_settings(lead.program)
    if lead.attempts >= ls.max_attempts:
        _return(
            lead,
            workspace=workspace,
            actor=actor,
            note=_("Offered %(n)d times without acceptance.") % {"n": lead.attempts},
        )
        notices.alert_returned(lead.program, [lead], reason=_("the last partner did not take it"))
        return None
    lead.status = Lead.Status.NEW
    decisions = _route_locked(
        program=lead.program,
        leads=[lead],
        kind=RoutingDecision.Kind.NEXT,
        actor=actor,
        workspace=workspace,
        now=now,
        lead_settings=ls,
        excluded={lead.pk: excluded},
    )
    return decisions[0] if decisions else None


def _return(lead: Lead, *, workspace: Workspace | None, actor: User | None, note: str = "") -> None:
    """The lead back in the vendor's queue, nobody holding it."""
    before = lead.status
    Lead.objects.for_vendor(lead.vendor_id).filter(pk=lead.pk).update(
        status=Lead.Status.RETURNED, partnership=None, updated_at=timezone.now()
    )
    lead.status, lead.partnership_id = Lead.Status.RETURNED, None
    _event(lead, "returned", from_status=before, to_status=Lead.Status.RETURNED, actor=actor, note=note).save()
    _record(workspace, lead.vendor_id, "lead.returned", lead)


def _excluded_one(lead: Lead) -> set[int]:
    return _excluded(lead.vendor_id, [lead]).get(lead.pk, set()) if lead.attempts else set()


def _schedule(offers: Sequence[Offer]) -> None:
    """Queue the reminder at half time and the expiry at the deadline, after commit, when the backend can defer.

    Without a deferring backend (tests run tasks at once) the deadline is kept
    by :func:`expire_overdue_offers`, which ``expire_lead_offers`` runs.
    """
    if not offers:
        return
    from kanali.leads import tasks

    if not tasks.expire_offers_task.get_backend().supports_defer:
        return
    first = offers[0]
    half = first.offered_at + (first.deadline - first.offered_at) / 2
    deadline = first.deadline
    ids = [offer.pk for offer in offers]

    def enqueue() -> None:
        if len(ids) == 1:
            tasks.remind_offer_task.using(run_after=half).enqueue(ids[0])
            tasks.expire_offer_task.using(run_after=deadline).enqueue(ids[0])
            return
        for chunk in _chunks(ids, 1000):
            tasks.remind_offers_task.using(run_after=half).enqueue(list(chunk))
            tasks.expire_offers_task.using(run_after=deadline).enqueue(list(chunk))

    transaction.on_commit(enqueue)


# --- Answers ------------------------------------------------------------------------------------------


def _reason_for(offer: Offer | None) -> str:
    """Why an offer cannot be answered any more, for the person who tried."""
    if offer is None:
        return _("This lead is not offered to you.")
    if offer.status == Offer.Status.EXPIRED or (
        offer.status == Offer.Status.PENDING and offer.deadline <= timezone.now()
    ):
        return _("This offer expired on %(deadline)s.") % {"deadline": notices.deadline_text(offer.deadline)}
    if offer.status == Offer.Status.ACCEPTED:
        return _("This lead was already accepted.")
    if offer.status == Offer.Status.DECLINED:
        return _("This lead was already declined.")
    if offer.status == Offer.Status.WITHDRAWN:
        return _("The vendor withdrew this offer.")
    return _("This offer can no longer be answered.")


@dataclass
class _Answer:
    offer: Offer | None
    overdue_offer_id: int | None = None


def _answer(
    *,
    vendor_id: int,
    lead_id: int,
    partnership_ids: Sequence[int],
    action: str,
    workspace: Workspace | None,
    actor: User | None,
    now: datetime,
    reason: str = "",
    note: str = "",
) -> _Answer:
    """Accept or decline the lead's pending offer to one of ``partnership_ids``, in one locked transaction."""
    with transaction.atomic():
        lead = _lock_lead(vendor_id, lead_id)
        offer = (
            Offer.objects.for_vendor(vendor_id)
            .filter(lead=lead, partnership__in=list(partnership_ids), status=Offer.Status.PENDING)
            .first()
        )
        if offer is None:
            latest = (
                Offer.objects.for_vendor(vendor_id)
                .filter(lead=lead, partnership__in=list(partnership_ids))
                .order_by("-offered_at", "-pk")
                .first()
            )
            raise LeadStateError(_reason_for(latest))
        if offer.deadline <= now:
            return _Answer(offer=None, overdue_offer_id=offer.pk)
        status = Offer.Status.ACCEPTED if action == "accept" else Offer.Status.DECLINED
        changed = (
            Offer.objects.for_vendor(vendor_id)
            .filter(pk=offer.pk, status=Offer.Status.PENDING)
            .update(
                status=status,
                responded_at=now,
                responded_by=actor,
                decline_reason=reason if action == "decline" else "",
                decline_note=note[:300] if action == "decline" else "",
            )
        )
        if not changed:
            raise LeadStateError(_reason_for(offer))
        offer.status, offer.responded_at, offer.responded_by = status, now, actor
        offer.decline_reason, offer.decline_note = (reason, note[:300]) if action == "decline" else ("", "")
        hours = (now - offer.offered_at).total_seconds() / 3600
        if action == "accept":
            Lead.objects.for_vendor(vendor_id).filter(pk=lead.pk).update(status=Lead.Status.ACCEPTED, updated_at=now)
            before, lead.status = lead.status, Lead.Status.ACCEPTED
            _event(
                lead,
                "accepted",
                from_status=before,
                to_status=Lead.Status.ACCEPTED,
                partnership_id=offer.partnership_id,
                actor=actor,
            ).save()
            _record(workspace, vendor_id, "lead.accept", lead, {"partnership": offer.partnership_id})
            pools.note_answered(lead.program_id, offer.partnership_id, accepted=True, hours=hours)
            offer.lead = lead
            return _Answer(offer=offer)
        label = str(Offer.DeclineReason(reason).label)
        _event(
            lead,
            "declined",
            from_status=lead.status,
            to_status=Lead.Status.NEW,
            partnership_id=offer.partnership_id,
            actor=actor,
            note=f"{label}: {note}" if note else label,
        ).save()
        _record(workspace, vendor_id, "lead.decline", lead, {"partnership": offer.partnership_id, "reason": reason})
        pools.note_answered(lead.program_id, offer.partnership_id, accepted=False)
        excluded = _excluded_one(lead) | {offer.partnership_id}
        _route_next(lead=lead, workspace=workspace, actor=actor, now=now, excluded=excluded)
        offer.lead = lead
        return _Answer(offer=offer)


def _finish(answer: _Answer, now: datetime) -> Offer:
    if answer.overdue_offer_id is not None:
        # The deadline passed before the answer: expire it now (routing the lead onwards) and say so.
        offer_expire(offer_id=answer.overdue_offer_id, now=now)
        offer = Offer.unscoped.filter(pk=answer.overdue_offer_id).first()  # our own id, just read
        raise LeadStateError(_reason_for(offer))
    if answer.offer is None:  # pragma: no cover - _answer returns one or the other
        raise LeadStateError(_("This offer can no longer be answered."))
    return answer.offer


def _partner_ids(workspace: Workspace, lead: Lead) -> list[int]:
    require(workspace, Perm.WORK_LEADS)
    if not workspace.is_partner:
        raise PermissionDenied
    if lead.vendor_id != workspace.vendor.pk:
        raise Http404
    return selectors.own_partnership_ids(workspace)


def offer_accept(*, workspace: Workspace, lead: Lead, actor: User | None = None, now: datetime | None = None) -> Offer:
    """The partner takes the lead offered to it; :class:`LeadStateError` when the offer is no longer pending."""
    ids = _partner_ids(workspace, lead)
    now = now or timezone.now()
    answer = _answer(
        vendor_id=lead.vendor_id,
        lead_id=lead.pk,
        partnership_ids=ids,
        action="accept",
        workspace=workspace,
        actor=_actor(workspace, actor),
        now=now,
    )
    offer = _finish(answer, now)
    lead.status = Lead.Status.ACCEPTED
    return offer


def _clean_reason(reason: str) -> str:
    if reason not in Offer.DeclineReason.values:
        raise ValidationError({"reason": [_("Choose a reason for declining.")]})
    return reason


def offer_decline(
    *,
    workspace: Workspace,
    lead: Lead,
    reason: str,
    note: str = "",
    actor: User | None = None,
    now: datetime | None = None,
) -> Offer:
    """The partner declines; the lead goes to the next candidate (never back to a partner that declined it)."""
    ids = _partner_ids(workspace, lead)
    reason = _clean_reason(reason)
    now = now or timezone.now()
    answer = _answer(
        vendor_id=lead.vendor_id,
        lead_id=lead.pk,
        partnership_ids=ids,
        action="decline",
        workspace=workspace,
        actor=_actor(workspace, actor),
        now=now,
        reason=reason,
        note=note or "",
    )
    return _finish(answer, now)


def _token_offer(token: str, action: str) -> Offer:
    from kanali.leads.tokens import offer_from_token, offer_token_state

    offer = offer_from_token(token, action)
    if offer is not None:
        return offer
    signed, _valid = offer_token_state(token, action)
    if signed is None:
        raise LeadStateError(_("This link is not valid."))
    raise LeadStateError(_reason_for(signed))


def offer_accept_by_token(*, token: str, now: datetime | None = None) -> Offer:
    """Accept from the signed link in the offer e-mail (no sign-in; the link is the partner's authority)."""
    offer = _token_offer(token, "accept")
    now = now or timezone.now()
    answer = _answer(
        vendor_id=offer.vendor_id,
        lead_id=offer.lead_id,
        partnership_ids=[offer.partnership_id],
        action="accept",
        workspace=None,
        actor=None,
        now=now,
    )
    return _finish(answer, now)


def offer_decline_by_token(*, token: str, reason: str, note: str = "", now: datetime | None = None) -> Offer:
    """Decline from the signed link in the offer e-mail."""
    offer = _token_offer(token, "decline")
    reason = _clean_reason(reason)
    now = now or timezone.now()
    answer = _answer(
        vendor_id=offer.vendor_id,
        lead_id=offer.lead_id,
        partnership_ids=[offer.partnership_id],
        action="decline",
        workspace=None,
        actor=None,
        now=now,
        reason=reason,
        note=note or "",
    )
    return _finish(answer, now)


# --- Deadlines ----------------------------------------------------------------------------------------


def offer_expire(*, offer_id: int, now: datetime | None = None) -> bool:
    """Expire a pending offer past its deadline and route the lead onwards; ``False`` when nothing to do.

    Safe to run late, twice, or after the partner answered: only a pending
    offer whose deadline has passed changes, under the lead's row lock.
    """
    now = now or timezone.now()
    found = Offer.unscoped.filter(pk=offer_id).values_list("vendor_id", "lead_id").first()  # system: our own id
    if found is None:
        return False
    vendor_id, lead_id = found
    with transaction.atomic():
        lead = (
            Lead.objects.for_vendor(vendor_id).select_for_update().filter(pk=lead_id).select_related("program").first()
        )
        if lead is None:
            return False
        offer = Offer.objects.for_vendor(vendor_id).filter(pk=offer_id).first()
        if offer is None or offer.status != Offer.Status.PENDING or offer.deadline > now:
            return False
        changed = (
            Offer.objects.for_vendor(vendor_id)
            .filter(pk=offer_id, status=Offer.Status.PENDING, deadline__lte=now)
            .update(status=Offer.Status.EXPIRED, responded_at=now)
        )
        if not changed:
            return False
        offer.status = Offer.Status.EXPIRED
        _event(
            lead,
            "expired",
            from_status=lead.status,
            to_status=Lead.Status.NEW,
            partnership_id=offer.partnership_id,
            note=_("No answer by the deadline."),
        ).save()
        _record(None, vendor_id, "lead.expire", lead, {"partnership": offer.partnership_id})
        pools.note_answered(lead.program_id, offer.partnership_id, accepted=False)
        notices.tell_partner(
            offer,
            kind="lead.expired",
            title=_("Lead offer expired: %(company)s") % {"company": lead.company},
            body=_("You did not answer by the deadline, so the lead went to another partner."),
        )
        excluded = _excluded_one(lead) | {offer.partnership_id}
        _route_next(lead=lead, workspace=None, actor=None, now=now, excluded=excluded)
    return True


def offer_remind(*, offer_id: int, now: datetime | None = None) -> bool:
    """Remind the partner at half time, once; ``False`` when answered, already reminded, or too early."""
    now = now or timezone.now()
    found = Offer.unscoped.filter(pk=offer_id).values_list("vendor_id", flat=True).first()  # system: our own id
    if found is None:
        return False
    with transaction.atomic():
        offer = Offer.objects.for_vendor(found).select_for_update().filter(pk=offer_id).select_related("lead").first()
        if offer is None or offer.status != Offer.Status.PENDING or offer.reminded_at is not None:
            return False
        half = offer.offered_at + (offer.deadline - offer.offered_at) / 2
        if now < half or now >= offer.deadline:
            return False
        changed = (
            Offer.objects.for_vendor(found)
            .filter(pk=offer_id, status=Offer.Status.PENDING, reminded_at__isnull=True)
            .update(reminded_at=now)
        )
        if not changed:
            return False
        _event(offer.lead, "reminded", partnership_id=offer.partnership_id).save()
        vendor = Organization.objects.get(pk=found)
        recipients = notices.partner_people(found, [offer.partnership_id]).get(offer.partnership_id, [])
        if recipients:
            hours_left = max(1, math.ceil((offer.deadline - now).total_seconds() / 3600))
            body = ngettext(
                "%(n)d hour left to accept or decline %(company)s.",
                "%(n)d hours left to accept or decline %(company)s.",
                hours_left,
            ) % {"n": hours_left, "company": offer.lead.company}
            from kanali.core.notifications import absolute_url

            notices.send(
                recipients=recipients,
                vendor=vendor,
                kind="lead.reminder",
                title=_("Reminder: a lead is waiting for your answer"),
                body=body,
                url=notices.portal_lead_url(offer.lead, vendor.slug),
                email_body="\n\n".join(
                    (
                        body,
                        _("Accept with one click: %(url)s")
                        % {"url": absolute_url(notices.offer_link_url(offer, "accept"))},
                        _("Decline with one click: %(url)s")
                        % {"url": absolute_url(notices.offer_link_url(offer, "decline"))},
                    )
                ),
            )
    return True


def expire_overdue_offers(now: datetime | None = None) -> int:
    """Safety net for a worker that was down: expire every pending offer past its deadline (all vendors)."""
    now = now or timezone.now()
    # Deliberately across vendors: the sweep is system work over offers our services made.
    due = list(
        Offer.unscoped.filter(status=Offer.Status.PENDING, deadline__lte=now)
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for offer_id in due if offer_expire(offer_id=offer_id, now=now))


def remind_due_offers(now: datetime | None = None) -> int:
    """Send the half-time reminders that are due and not sent yet (all vendors)."""
    now = now or timezone.now()
    rows = Offer.unscoped.filter(  # system sweep, like expire_overdue_offers
        status=Offer.Status.PENDING, reminded_at__isnull=True, deadline__gt=now
    ).values_list("pk", "offered_at", "deadline")
    due = [pk for pk, offered_at, deadline in rows if offered_at + (deadline - offered_at) / 2 <= now]
    return sum(1 for offer_id in due if offer_remind(offer_id=offer_id, now=now))


# --- Vendor actions -----------------------------------------------------------------------------------


def _vendor(workspace: Workspace, lead: Lead) -> None:
    require(workspace, Perm.MANAGE_LEADS)
    if not workspace.is_vendor:
        raise PermissionDenied
    if lead.vendor_id != workspace.vendor.pk:
        raise Http404


def _withdraw_pending(lead: Lead, *, now: datetime, actor: User | None, note: str) -> Offer | None:
    offer = Offer.objects.for_vendor(lead.vendor_id).filter(lead=lead, status=Offer.Status.PENDING).first()
    if offer is None:
        return None
    changed = (
        Offer.objects.for_vendor(lead.vendor_id)
        .filter(pk=offer.pk, status=Offer.Status.PENDING)
        .update(status=Offer.Status.WITHDRAWN, responded_at=now)
    )
    if not changed:
        return None
    offer.status = Offer.Status.WITHDRAWN
    _event(lead, "withdrawn", partnership_id=offer.partnership_id, actor=actor, note=note).save()
    pools.note_released(lead.program_id, offer.partnership_id)
    notices.tell_partner(
        offer,
        kind="lead.withdrawn",
        title=_("Lead offer withdrawn: %(company)s") % {"company": lead.company},
        body=_("The vendor gave this lead to someone else; there is nothing for you to do."),
    )
    return offer


def lead_reassign(
    *,
    workspace: Workspace,
    lead: Lead,
    partnership: Partnership | int | None = None,
    actor: User | None = None,
    now: datetime | None = None,
) -> RoutingDecision:
    """Withdraw the pending offer (or take the lead back from a partner) and offer it again.

    With ``partnership`` the lead goes to that active partnership of its
    program (how a person picks from suggestions); without, the engine runs
    again, leaving out the partner that held it.
    """
    _vendor(workspace, lead)
    now = now or timezone.now()
    actor = _actor(workspace, actor)
    with transaction.atomic():
        locked = _lock_lead(workspace.vendor.pk, lead.pk)
        if locked.status not in (*ROUTABLE, Lead.Status.OFFERED, *Lead.WORKING_STATUSES):
            raise LeadStateError(_("This lead is closed (%(status)s).") % {"status": locked.get_status_display()})
        target: Partnership | None = None
        if partnership is not None:
            pid = partnership.pk if isinstance(partnership, Partnership) else partnership
            target = (
                Partnership.objects.for_vendor(workspace.vendor)
                .filter(pk=pid, program_id=locked.program_id, status=Partnership.Status.ACTIVE)
                .first()
            )
            if target is None:
                raise ValidationError({"partnership": [_("Choose an active partner of this lead's program.")]})
        holder = locked.partnership_id
        withdrawn = _withdraw_pending(locked, now=now, actor=actor, note=_("Reassigned by the vendor."))
        if withdrawn is None and holder is not None and locked.status in Lead.WORKING_STATUSES:
            _event(locked, "taken_back", partnership_id=holder, actor=actor, note=_("Reassigned by the vendor.")).save()
            pools.note_released(locked.program_id, holder)
        excluded = _excluded_one(locked)
        if target is None and holder is not None:
            excluded.add(holder)
        _record(
            workspace, locked.vendor_id, "lead.reassign", locked, {"from": holder, "to": target.pk if target else None}
        )
        locked.status = Lead.Status.NEW if locked.status != Lead.Status.RETURNED else locked.status
        decisions = _route_locked(
            program=locked.program,
            leads=[locked],
            kind=RoutingDecision.Kind.MANUAL,
            actor=actor,
            workspace=workspace,
            now=now,
            excluded={locked.pk: excluded},
            forced={locked.pk: target.pk} if target is not None else None,
            alert=False,
        )
    lead.status, lead.partnership_id, lead.attempts = locked.status, locked.partnership_id, locked.attempts
    return decisions[0]


def lead_return(*, workspace: Workspace, lead: Lead, actor: User | None = None, now: datetime | None = None) -> Lead:
    """The vendor takes the lead back into its queue (withdrawing any pending offer)."""
    _vendor(workspace, lead)
    now = now or timezone.now()
    actor = _actor(workspace, actor)
    with transaction.atomic():
        locked = _lock_lead(workspace.vendor.pk, lead.pk)
        if locked.status not in (Lead.Status.NEW, Lead.Status.OFFERED, *Lead.WORKING_STATUSES):
            raise LeadStateError(
                _("This lead cannot be taken back now (%(status)s).") % {"status": locked.get_status_display()}
            )
        holder = locked.partnership_id
        withdrawn = _withdraw_pending(locked, now=now, actor=actor, note=_("Taken back by the vendor."))
        if withdrawn is None and holder is not None:
            pools.note_released(locked.program_id, holder)
        _return(locked, workspace=workspace, actor=actor, note=_("Taken back by the vendor."))
    lead.status, lead.partnership_id = locked.status, None
    return locked


def lead_status_update(
    *, workspace: Workspace, lead: Lead, status: str, reason: str = "", actor: User | None = None
) -> Lead:
    """The partner reports progress on a lead it accepted: contacted, qualified, converted, or disqualified."""
    ids = _partner_ids(workspace, lead)
    reason = (reason or "").strip()
    if status not in (Lead.Status.CONTACTED, Lead.Status.QUALIFIED, Lead.Status.CONVERTED, Lead.Status.DISQUALIFIED):
        raise ValidationError({"status": [_("Choose contacted, qualified, converted or disqualified.")]})
    if status == Lead.Status.DISQUALIFIED and not reason:
        raise ValidationError({"reason": [_("Say why the lead is disqualified.")]})
    actor = _actor(workspace, actor)
    with transaction.atomic():
        locked = _lock_lead(workspace.vendor.pk, lead.pk)
        if locked.partnership_id not in ids or locked.status not in PARTNER_TRANSITIONS:
            raise LeadStateError(_("This lead is not one you are working on."))
        if status not in PARTNER_TRANSITIONS[locked.status]:
            raise LeadStateError(
                _("A lead that is %(current)s cannot be marked %(new)s.")
                % {"current": locked.get_status_display(), "new": Lead.Status(status).label}
            )
        before = locked.status
        locked.status = status
        if status == Lead.Status.DISQUALIFIED:
            locked.disqualify_reason = reason[:200]
        locked.save(update_fields=["status", "disqualify_reason", "updated_at"])
        _event(
            locked,
            status,
            from_status=before,
            to_status=status,
            partnership_id=locked.partnership_id,
            actor=actor,
            note=reason,
        ).save()
        audit.record(workspace=workspace, action=f"lead.{status}", obj=locked, changes={"status": [before, status]})
        if status in (Lead.Status.CONVERTED, Lead.Status.DISQUALIFIED):
            pools.note_released(locked.program_id, locked.partnership_id)  # type: ignore[arg-type]
            notices.send(
                recipients=notices.vendor_people(locked.vendor_id),
                vendor=workspace.vendor,
                kind=f"lead.{status}",
                title=_("%(partner)s marked %(company)s %(status)s")
                % {
                    "partner": workspace.organization.name,
                    "company": locked.company,
                    "status": Lead.Status(status).label,
                },
                body=reason,
                url=notices.console_lead_url(locked, workspace.vendor.slug),
                email=False,
            )
        if status == Lead.Status.CONVERTED:
            hooks.lead_converted(locked)
    lead.status = locked.status
    lead.disqualify_reason = locked.disqualify_reason
    return locked


# Settings and profiles live in their own module; they are part of this one's interface.
from kanali.leads.services_settings import (  # noqa: E402
    clean_weights,
    lead_settings_update,
    routing_profile_update,
)

__all__ = [
    "LeadStateError",
    "clean_weights",
    "console_lead_url",
    "console_queue_url",
    "expire_overdue_offers",
    "lead_reassign",
    "lead_return",
    "lead_settings_update",
    "lead_status_update",
    "offer_accept",
    "offer_accept_by_token",
    "offer_decline",
    "offer_decline_by_token",
    "offer_expire",
    "offer_link_url",
    "offer_remind",
    "portal_lead_url",
    "portal_leads_url",
    "quietly",
    "remind_due_offers",
    "route_lead",
    "route_leads",
    "routing_profile_update",
]
