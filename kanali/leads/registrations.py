"""What the leads app plugs into lower apps' registries: the lead acceptance metric, and the portal home panel.

``lead_acceptance_rate`` is accepted offers / (accepted + declined + expired)
offers answered in the window, as a percent with two decimals. Withdrawn
offers and offers still waiting do not count. A partnership that answered no
offer in the window has no rate: the function returns ``None`` and the tier
engine treats the requirement as not measured (decision 0014), so a partner
that was never sent a lead is neither promoted nor demoted by it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanali.designer import metrics
from kanali.leads import widgets  # noqa: F401 - registers the portal home panel "Leads waiting for you"
from kanali.leads.models import Offer

ANSWERED = (Offer.Status.ACCEPTED, Offer.Status.DECLINED, Offer.Status.EXPIRED)


def lead_acceptance_rate(partnership: Any, start: date, end: date) -> Decimal | None:
    tz = timezone.get_current_timezone()
    row = (
        Offer.objects.for_vendor(partnership.vendor_id)
        .filter(
            partnership=partnership,
            status__in=ANSWERED,
            responded_at__gte=datetime.combine(start, time.min, tzinfo=tz),
            responded_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
        )
        .aggregate(answered=Count("pk"), accepted=Count("pk", filter=Q(status=Offer.Status.ACCEPTED)))
    )
    if not row["answered"]:
        return None
    rate = Decimal(row["accepted"]) * 100 / Decimal(row["answered"])
    return rate.quantize(Decimal("0.01"), ROUND_HALF_UP)


metrics.register(
    "lead_acceptance_rate",
    lead_acceptance_rate,  # None is "not measured yet" (decision 0014)
    label=_("Lead acceptance rate"),
    unit="percent",
)
