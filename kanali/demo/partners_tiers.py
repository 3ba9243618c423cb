"""Demo data of the partner lifecycle: tiers.

Voltera's reseller program runs Bronze/Silver/Gold tiers. No metric functions
exist yet (deals and training come later), so the demo imports each live
partner's tier from its enrolment (``Partnership.tier``: "gold", …) through the
assignment service, with a little history: Gold partners started at Silver,
and one Silver partner has a demotion scheduled so the portal shows the notice.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kanali.core.models import Membership, Organization, Partnership, Program
from kanali.core.roles import Role
from kanali.core.workspace import Workspace
from kanali.designer import selectors as designer_selectors
from kanali.partners.models_tiers import TierAssignment, TierChange
from kanali.partners.services_tiers import tier_assign, tier_demotion_schedule

VENDOR, PROGRAM = "voltera", "resellers"
IMPORTED = "imported"
#: Partner organization slug prefix → a scheduled demotion to show in the portal.
DEMOTION_DEMO = "nordlicht"


def load() -> None:
    """Give Voltera's reseller partners their tiers (idempotent: partners that have one are left alone)."""
    vendor = Organization.objects.filter(slug=VENDOR, is_vendor=True).first()
    if vendor is None:
        return
    program = Program.objects.for_vendor(vendor).filter(slug=PROGRAM).first()
    if program is None:
        return
    owner = Membership.objects.select_related("user").filter(organization=vendor, role=Role.OWNER).earliest("pk")
    workspace = Workspace(user=owner.user, membership=owner, vendor=vendor, kind="vendor")
    tiers = {t.name.lower(): t for t in designer_selectors.tiers(program)}
    if not tiers:
        return
    done = set(TierAssignment.objects.for_vendor(vendor).values_list("partnership_id", flat=True))
    partnerships = (
        Partnership.objects.for_vendor(vendor)
        .filter(program=program)
        .exclude(tier="")
        .select_related("partner")
        .order_by("pk")
    )
    now = timezone.now()
    with transaction.atomic():
        for partnership in partnerships:
            tier = tiers.get(partnership.tier.lower())
            if tier is None or partnership.pk in done:
                continue
            joined = partnership.created_at
            if tier.name.lower() == "gold" and "silver" in tiers:
                tier_assign(
                    workspace=workspace,
                    partnership=partnership,
                    tier=tiers["silver"],
                    reason=IMPORTED,
                    at=joined,
                )
                promoted = max(joined, now - timedelta(days=120))
                tier_assign(
                    workspace=workspace,
                    partnership=partnership,
                    tier=tier,
                    reason=IMPORTED,
                    kind=TierChange.Kind.PROMOTION,
                    at=promoted,
                )
            else:
                tier_assign(workspace=workspace, partnership=partnership, tier=tier, reason=IMPORTED, at=joined)
            if partnership.partner.slug.startswith(DEMOTION_DEMO) and "bronze" in tiers:
                tier_demotion_schedule(
                    workspace=workspace,
                    partnership=partnership,
                    to_tier=tiers["bronze"],
                    due_at=now + timedelta(days=45),
                    reason="Certified people: 1 of 2",
                    at=now - timedelta(days=45),
                )
