"""The pipeline: move a deal through the program's stages, win it, lose it, reopen it.

Every change writes a :class:`DealStageChange` and an audit entry. Winning
calls :func:`kanali.deals.hooks.deal_won` and reversing a win (a won deal
reopened or set lost) :func:`kanali.deals.hooks.deal_win_reversed`, inside
the same transaction, so commission and clawback lines commit with the deal.

Won, lost and reopen are idempotent: asking for the state a deal is already
in changes nothing and runs no hook (a retried request must not pay twice).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kanali.core import audit
from kanali.core.money import parse_amount, quantize
from kanali.core.workspace import Workspace
from kanali.deals import hooks
from kanali.deals.models import Account, Deal, DealStageChange, Product
from kanali.deals.selectors import Stage, program_stages
from kanali.deals.services import DealStateError, require_actor, require_vendor
from kanali.deals.services_registrations import _first_deal, _partnership_changed


def _locked(deal: Deal) -> Deal:
    return (
        Deal.objects.for_vendor(deal.vendor_id)
        .select_for_update(of=("self",))
        .select_related("partnership__partner", "program")
        .get(pk=deal.pk)
    )


def _history(deal: Deal, workspace: Workspace | None, *, from_stage: str, from_status: str, note: str = "") -> None:
    DealStageChange.objects.create(
        vendor_id=deal.vendor_id,
        deal=deal,
        from_stage=from_stage,
        to_stage=deal.stage,
        from_status=from_status,
        to_status=deal.status,
        actor=workspace.user if workspace is not None else None,
        note=note[:300],
    )


def _audit(workspace: Workspace | None, action: str, deal: Deal, changes: dict[str, Any]) -> None:
    if workspace is not None:
        audit.record(workspace=workspace, action=action, obj=deal, changes=changes)


def _stage_at(deal: Deal, position: int) -> Stage:
    stages = program_stages(deal.program)
    for stage in stages:
        if stage.position == position:
            return stage
    raise ValidationError(
        {"stage_position": [_("Choose a stage between 1 and %(n)d.") % {"n": len(stages)}]}, code="stage"
    )


@transaction.atomic
def deal_move(*, workspace: Workspace, deal: Deal, stage_position: int, note: str = "") -> Deal:
    """Move an open deal to another stage; its probability becomes the stage's."""
    require_actor(workspace, deal.partnership)
    deal = _locked(deal)
    if deal.status != Deal.Status.OPEN:
        raise DealStateError(_("Only an open deal moves between stages; reopen it first."))
    stage = _stage_at(deal, stage_position)
    if stage.position == deal.stage_position and stage.name == deal.stage:
        return deal
    old = deal.stage
    deal.stage, deal.stage_position, deal.probability = stage.name, stage.position, stage.probability
    deal.save(update_fields=["stage", "stage_position", "probability", "updated_at"])
    _history(deal, workspace, from_stage=old, from_status=deal.status, note=note)
    _audit(workspace, "deal.stage", deal, {"stage": [old, deal.stage]})
    return deal


@transaction.atomic
def deal_update(
    *,
    workspace: Workspace,
    deal: Deal,
    name: str | None = None,
    amount: Any = None,
    expected_close: Any = None,
    products: list[str] | None = None,
) -> Deal:
    """Edit an open deal's name, amount, expected close or products."""
    require_actor(workspace, deal.partnership)
    deal = _locked(deal)
    if deal.status != Deal.Status.OPEN:
        raise DealStateError(_("Only an open deal can be edited."))
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if name is not None:
        if not name.strip() or len(name.strip()) > 200:
            errors["name"] = [_("Enter a name of at most 200 characters.")]
        values["name"] = name.strip()
    if amount is not None:
        try:
            values["amount"] = quantize(parse_amount(amount), deal.currency)
        except ValidationError as exc:
            errors["amount"] = exc.messages
    if expected_close is not None:
        values["expected_close"] = expected_close
    if products is not None:
        known = set(
            Product.objects.for_vendor(deal.vendor_id)
            .filter(program_id=deal.program_id, code__in=products)
            .values_list("code", flat=True)
        )
        unknown = sorted(set(products) - known)
        if unknown:
            errors["products"] = [_("Unknown product(s): %(codes)s.") % {"codes": ", ".join(unknown)}]
        values["products"] = list(dict.fromkeys(products))
    if errors:
        raise ValidationError(errors)
    changes = audit.diff(deal, values)
    if changes:
        for key, value in values.items():
            setattr(deal, key, value)
        deal.save(update_fields=[*values, "updated_at"])
        _audit(workspace, "deal.update", deal, changes)
    return deal


@transaction.atomic
def deal_won(
    *, workspace: Workspace, deal: Deal, amount: Any = None, note: str = "", at: datetime | None = None
) -> Deal:
    """Mark an open deal won with its final amount; commissions follow through the ``deal_won`` hook.

    ``at`` backdates the win (imports of closed deals, the demo); it defaults to now.
    """
    require_actor(workspace, deal.partnership)
    deal = _locked(deal)
    final: Decimal | None = None
    if amount is not None and amount != "":
        try:
            final = quantize(parse_amount(amount), deal.currency)
        except ValidationError as exc:
            raise ValidationError({"amount": exc.messages}) from exc
    if deal.status == Deal.Status.WON:
        if final is None or final == deal.amount:
            return deal
        raise DealStateError(_("This deal is already won; reopen it to change its amount."))
    if deal.status == Deal.Status.LOST:
        raise DealStateError(_("This deal was lost; reopen it before marking it won."))
    now = at or timezone.now()
    from_stage, from_status = deal.stage, deal.status
    if final is not None:
        deal.amount = final
    deal.status, deal.won_at, deal.closed_at, deal.probability = Deal.Status.WON, now, now, 100
    deal.lost_reason = ""
    deal.save()
    _history(deal, workspace, from_stage=from_stage, from_status=from_status, note=note)
    _audit(workspace, "deal.won", deal, {"amount": str(deal.amount), "currency": deal.currency})
    hooks.deal_won(deal)
    _partnership_changed(deal.partnership)
    _first_deal(deal.partnership)
    return deal


@transaction.atomic
def deal_lost(*, workspace: Workspace, deal: Deal, reason: str) -> Deal:
    """Mark a deal lost with a reason; losing a won deal reverses its win (clawback)."""
    require_actor(workspace, deal.partnership)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the deal was lost.")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("Use at most 300 characters.")]})
    deal = _locked(deal)
    if deal.status == Deal.Status.LOST:
        return deal
    if deal.status == Deal.Status.WON and workspace.is_partner:
        raise PermissionDenied  # reversing a win (and its commission) is the vendor's call
    from_stage, from_status = deal.stage, deal.status
    deal.status, deal.lost_reason, deal.closed_at, deal.probability = Deal.Status.LOST, reason, timezone.now(), 0
    deal.save()
    _history(deal, workspace, from_stage=from_stage, from_status=from_status, note=reason)
    _audit(workspace, "deal.lost", deal, {"reason": reason, "from": from_status})
    if from_status == Deal.Status.WON:
        hooks.deal_win_reversed(deal)
        _partnership_changed(deal.partnership)
    return deal


@transaction.atomic
def deal_reopen(*, workspace: Workspace, deal: Deal, note: str = "") -> Deal:
    """Vendor staff reopen a won or lost deal at its stage; a reopened win is reversed (clawback)."""
    require_vendor(workspace)
    deal = _locked(deal)
    if deal.status == Deal.Status.OPEN:
        return deal
    from_status = deal.status
    stage = next((s for s in program_stages(deal.program) if s.position == deal.stage_position), None)
    deal.status, deal.closed_at, deal.won_at, deal.lost_reason = Deal.Status.OPEN, None, None, ""
    deal.probability = stage.probability if stage is not None else deal.probability
    deal.save()
    _history(deal, workspace, from_stage=deal.stage, from_status=from_status, note=note)
    _audit(workspace, "deal.reopen", deal, {"from": from_status})
    if from_status == Deal.Status.WON:
        hooks.deal_win_reversed(deal)
        _partnership_changed(deal.partnership)
    return deal


def deal_from_lead(lead: Any, *, user: Any = None) -> Deal | None:
    """The deal of a lead the partner converted (``kanali.leads.hooks.on_lead_converted``), once per lead."""
    if lead.partnership_id is None:
        return None
    existing = Deal.objects.for_vendor(lead.vendor_id).filter(lead=lead).first()
    if existing is not None:
        return existing
    account = (
        Account.objects.for_vendor(lead.vendor_id)
        .filter(domain=lead.email_domain)
        .exclude(domain="")
        .order_by("pk")
        .first()
    )
    if account is None:
        account = Account.objects.create(
            vendor_id=lead.vendor_id,
            name=lead.company[:200],
            domain=lead.email_domain,
            country=lead.country,
            source=Account.Source.LEAD,
        )
    first = program_stages(lead.program)[0]
    currency = lead.currency or "EUR"
    deal = Deal.objects.create(
        vendor_id=lead.vendor_id,
        program_id=lead.program_id,
        partnership_id=lead.partnership_id,
        lead=lead,
        account=account,
        name=lead.company[:200],
        amount=quantize(lead.estimated_value or Decimal(0), currency),
        currency=currency,
        stage=first.name,
        stage_position=first.position,
        probability=first.probability,
        created_by=user,
    )
    DealStageChange.objects.create(
        vendor_id=lead.vendor_id,
        deal=deal,
        to_stage=first.name,
        to_status=Deal.Status.OPEN,
        actor=user,
        note=_("Opened from a converted lead."),
    )
    _first_deal(deal.partnership)
    return deal
