"""Lead routing: eligibility, scoring and explanation, with no database behind it.

The leads app turns partnerships and their history into
:class:`PartnerFeatures`, keeps one :class:`CandidatePool` per program, and
stores each :class:`Decision`'s explanation with the lead.
"""

from .engine import CandidatePool, Decision
from .explain import Explanation, PartnerView, partner_view
from .features import (
    FEATURES,
    FILTERS,
    SIZE_BANDS,
    LeadToRoute,
    Mode,
    PartnerFeatures,
    RoutingSettings,
    Weights,
    size_band,
    smoothed_rate,
)
from .geo import haversine_km, haversine_km_many

__all__ = [
    "FEATURES",
    "FILTERS",
    "SIZE_BANDS",
    "CandidatePool",
    "Decision",
    "Explanation",
    "LeadToRoute",
    "Mode",
    "PartnerFeatures",
    "PartnerView",
    "RoutingSettings",
    "Weights",
    "haversine_km",
    "haversine_km_many",
    "partner_view",
    "size_band",
    "smoothed_rate",
]
