"""The metric registry: named measures of a partnership that tier requirements use.

The designer declares the names so a requirement on an unknown metric is
refused; the apps that own the data (deals, enablement, leads) attach the
function that computes it with :func:`register`, keeping imports one-way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: ``compute(partnership, start, end) -> Decimal``, or ``None`` when there is nothing to measure yet
#: (a rate with no answers): the tiers engine treats that like an unmeasured metric (decision 0014).
Compute = Callable[[Any, date, date], Decimal | None]


@dataclass
class Metric:
    key: str
    label: str | Promise
    unit: str  # "money", "count", "percent", "hours"
    compute: Compute | None = None


_REGISTRY: dict[str, Metric] = {}


def declare(key: str, label: str | Promise, unit: str) -> Metric:
    metric = _REGISTRY.setdefault(key, Metric(key, label, unit))
    return metric


def register(key: str, compute: Compute, *, label: str | Promise | None = None, unit: str = "count") -> Metric:
    """Attach the function that computes ``key``; declares it first if needed."""
    metric = _REGISTRY.get(key) or declare(key, label or key, unit)
    metric.compute = compute
    return metric


def get(key: str) -> Metric | None:
    return _REGISTRY.get(key)


def choices() -> list[tuple[str, str]]:
    return [(m.key, str(m.label)) for m in _REGISTRY.values()]


declare("revenue_won_12m", _("Revenue won in the last 12 months"), "money")
declare("deals_won_12m", _("Deals won in the last 12 months"), "count")
declare("certified_people", _("Certified people"), "count")
declare("lead_acceptance_rate", _("Lead acceptance rate"), "percent")
declare("registered_deals_12m", _("Deals registered in the last 12 months"), "count")
declare("customer_satisfaction", _("Customer satisfaction score"), "percent")
