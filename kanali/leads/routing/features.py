"""What the routing engine reads: a lead to route, a candidate's features, and the program's settings.

These are plain frozen dataclasses with no database behind them. The leads app
builds :class:`PartnerFeatures` from partnerships, tiers, certifications and
lead history, and :class:`RoutingSettings` from the program's routing
settings; the simulator and the benchmark build them from anything.

Conventions
-----------
* Country codes are ISO 3166-1 alpha-2 and region codes ISO 3166-2
  (``"GR"``, ``"GR-I"``), compared upper-case. A partner whose ``countries``
  contain ``"*"`` serves everywhere; a partner with no countries and no
  regions serves nowhere.
* Languages are compared lower-case. A partner that declares no languages has
  not said, and is not excluded by a lead's language.
* ``capacity`` is the most open leads a partner takes; ``None`` is no limit.
* Rates are smoothed with a Beta prior, ``(successes + α) / (trials + α + β)``,
  so a new partner starts at the prior mean instead of zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

#: Deal-size bands by estimated value (in the program's currency): name and
#: exclusive upper bound. A lead falls in the first band whose bound exceeds
#: its value.
SIZE_BANDS: tuple[tuple[str, float], ...] = (
    ("small", 10_000.0),
    ("medium", 50_000.0),
    ("large", 250_000.0),
    ("enterprise", math.inf),
)
SIZE_BAND_NAMES: tuple[str, ...] = tuple(name for name, _ in SIZE_BANDS)

#: The scored features, in the order explanations list them.
FEATURES: tuple[str, ...] = (
    "distance",
    "tier",
    "specialization",
    "performance",
    "responsiveness",
    "deal_size",
    "fairness",
)

#: The eligibility filters, in the order they are applied and counted.
FILTERS: tuple[str, ...] = (
    "active",
    "territory",
    "partner_type",
    "certification",
    "language",
    "capacity",
    "paused",
    "declined_or_expired",
)


def size_band(value: Decimal | float | None) -> int | None:
    """Index into :data:`SIZE_BANDS` for an estimated value; ``None`` when unknown (missing or not positive)."""
    if value is None:
        return None
    amount = float(value)
    if not amount > 0:
        return None
    for i, (_, bound) in enumerate(SIZE_BANDS):
        if amount < bound:
            return i
    return len(SIZE_BANDS) - 1


@overload
def smoothed_rate(successes: float, trials: float, prior: tuple[float, float]) -> float: ...
@overload
def smoothed_rate(
    successes: NDArray[np.float64], trials: NDArray[np.float64], prior: tuple[float, float]
) -> NDArray[np.float64]: ...
def smoothed_rate(successes: Any, trials: Any, prior: tuple[float, float]) -> Any:
    """Beta-smoothed rate ``(successes + α) / (trials + α + β)``.

    Works on plain numbers and, element-wise, on numpy arrays, so the engine
    and any scalar re-implementation compute exactly the same figure.
    """
    alpha, beta = prior
    return (successes + alpha) / (trials + (alpha + beta))


class Mode(StrEnum):
    """How a decision is used: offer to the winner, offer in sequence, or let the vendor pick."""

    AUTO = "auto"
    SEQUENTIAL = "sequential"
    SUGGEST = "suggest"


@dataclass(frozen=True, slots=True)
class LeadToRoute:
    """The facts of a lead that routing reads."""

    country: str
    region: str = ""
    lat: float | None = None
    lon: float | None = None
    industry: str = ""
    product: str = ""
    value: Decimal | float | None = None
    language: str = ""
    #: Partner types that may take this lead; ``None`` allows every type.
    partner_types: frozenset[str] | None = None
    #: Certification a partner must hold for the product (filled by enablement); ``None`` requires none.
    required_certification: str | None = None
    #: Partnerships that already declined this lead or let it expire.
    excluded: frozenset[int] = frozenset()

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True, slots=True)
class PartnerFeatures:
    """One candidate partnership as routing sees it."""

    partnership_id: int
    name: str = ""
    active: bool = True
    countries: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    partner_type: str = ""
    certifications: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    #: Most open leads at once; ``None`` is no limit.
    capacity: int | None = None
    open_leads: int = 0
    paused: bool = False
    #: Offices as ``(lat, lon)`` in degrees; distance is from the nearest.
    locations: tuple[tuple[float, float], ...] = ()
    #: The tier's ``lead_priority_weight`` (1 when the program has no tiers).
    tier_weight: float = 1.0
    industries: frozenset[str] = frozenset()
    #: Products / solution areas the partner specialises in.
    specializations: frozenset[str] = frozenset()
    deals_won: int = 0
    deals_closed: int = 0
    leads_accepted: int = 0
    leads_offered: int = 0
    #: Median hours from offer to acceptance; ``None`` before the first acceptance.
    median_hours_to_accept: float | None = None
    #: Per size band name: ``(won, closed)``.
    deal_sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    #: Leads offered to this partner within the program's fairness window.
    recent_leads: int = 0
    last_offered_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.last_offered_at is not None and self.last_offered_at.tzinfo is None:
            raise ValueError("last_offered_at must be timezone-aware")
        if self.capacity is not None and self.capacity < 0:
            raise ValueError("capacity must not be negative")
        unknown = set(self.deal_sizes) - set(SIZE_BAND_NAMES)
        if unknown:
            raise ValueError(f"unknown deal-size bands: {sorted(unknown)}")


@dataclass(frozen=True, slots=True)
class Weights:
    """Relative weight of each scored feature; they are normalised to sum to 1."""

    distance: float = 0.25
    tier: float = 0.15
    specialization: float = 0.15
    performance: float = 0.15
    responsiveness: float = 0.10
    deal_size: float = 0.10
    fairness: float = 0.10

    def __post_init__(self) -> None:
        values = self.as_tuple()
        if any(not math.isfinite(w) or w < 0 for w in values):
            raise ValueError("weights must be finite and not negative")
        if sum(values) <= 0:
            raise ValueError("at least one weight must be positive")

    def as_tuple(self) -> tuple[float, ...]:
        return tuple(float(getattr(self, name)) for name in FEATURES)

    def normalised(self) -> tuple[float, ...]:
        values = self.as_tuple()
        total = sum(values)
        return tuple(w / total for w in values)


@dataclass(frozen=True, slots=True)
class RoutingSettings:
    """A program's routing configuration (hashable, so the pool can cache per settings)."""

    weights: Weights = field(default_factory=Weights)
    #: Distance at which the distance feature reaches 0 (linear from 1 at 0 km).
    max_distance_km: float = 300.0
    mode: Mode = Mode.AUTO
    #: Candidates listed in an explanation.
    top_n: int = 5
    #: Beta prior ``(α, β)`` for win rates, overall and per deal-size band (mean 25 %).
    win_prior: tuple[float, float] = (2.0, 6.0)
    #: Beta prior for acceptance rates (mean 75 %).
    acceptance_prior: tuple[float, float] = (3.0, 1.0)
    #: Median time to accept at which responsiveness reaches 0 (the default acceptance deadline).
    response_horizon_hours: float = 48.0
    #: Assumed median time to accept for a partner that has never accepted.
    unknown_response_hours: float = 24.0

    def __post_init__(self) -> None:
        if not self.max_distance_km > 0:
            raise ValueError("max_distance_km must be positive")
        if self.top_n < 0:
            raise ValueError("top_n must not be negative")
        if not self.response_horizon_hours > 0:
            raise ValueError("response_horizon_hours must be positive")
        for a, b in (self.win_prior, self.acceptance_prior):
            if not (a > 0 and b > 0):
                raise ValueError("Beta priors must be positive")
        object.__setattr__(self, "mode", Mode(self.mode))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for the program's stored settings and the explanation."""
        return {
            "weights": dict(zip(FEATURES, self.weights.as_tuple(), strict=True)),
            "max_distance_km": self.max_distance_km,
            "mode": str(self.mode),
            "top_n": self.top_n,
            "win_prior": list(self.win_prior),
            "acceptance_prior": list(self.acceptance_prior),
            "response_horizon_hours": self.response_horizon_hours,
            "unknown_response_hours": self.unknown_response_hours,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoutingSettings:
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {k: v for k, v in data.items() if k in known}
        if "weights" in kwargs:
            kwargs["weights"] = Weights(**dict(kwargs["weights"]))
        for key in ("win_prior", "acceptance_prior"):
            if key in kwargs:
                a, b = kwargs[key]
                kwargs[key] = (float(a), float(b))
        return cls(**kwargs)
