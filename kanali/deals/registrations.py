"""What the deals app plugs into lower apps' registries: tier metrics and the lead-converted hook.

Metrics (``kanali.designer.metrics``), computed over the window the tier
engine passes (the last twelve months):

- ``revenue_won_12m``: the sum of the partnership's won deals' amounts in
  the **program's default currency** (``KANALI_DEFAULT_CURRENCY``). Deals won
  in other currencies are not converted — Kanali keeps no exchange rates —
  and so do not count toward it; a tier threshold is stated in one currency.
- ``deals_won_12m``: how many deals the partnership won.
- ``registered_deals_12m``: how many of its registrations submitted in the
  window were approved (approved now, or approved and since expired).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanali.core.money import default_currency
from kanali.deals.models import DealRegistration
from kanali.deals.selectors import won_in_window
from kanali.designer import metrics
from kanali.leads.hooks import on_lead_converted


def revenue_won(partnership: Any, start: date, end: date) -> Decimal:
    total = (
        won_in_window(partnership, start, end)
        .filter(currency=default_currency())
        .aggregate(total=Sum("amount"))["total"]
    )
    return Decimal(total or 0)


def deals_won(partnership: Any, start: date, end: date) -> Decimal:
    return Decimal(won_in_window(partnership, start, end).count())


def registered_deals(partnership: Any, start: date, end: date) -> Decimal:
    tz = timezone.get_current_timezone()
    count = (
        DealRegistration.objects.for_vendor(partnership.vendor_id)
        .filter(
            partnership=partnership,
            status__in=(DealRegistration.Status.APPROVED, DealRegistration.Status.EXPIRED),
            created_at__gte=datetime.combine(start, datetime.min.time(), tzinfo=tz),
            created_at__lt=datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz),
        )
        .count()
    )
    return Decimal(count)


metrics.register("revenue_won_12m", revenue_won, label=_("Revenue won in the last 12 months"), unit="money")
metrics.register("deals_won_12m", deals_won, label=_("Deals won in the last 12 months"), unit="count")
metrics.register(
    "registered_deals_12m", registered_deals, label=_("Deals registered in the last 12 months"), unit="count"
)


@on_lead_converted
def open_deal_for_converted_lead(lead: Any) -> None:
    """A lead the partner converted becomes a deal at the pipeline's first stage."""
    from kanali.deals.services_pipeline import deal_from_lead

    deal_from_lead(lead)
