"""The routing engine: a program's candidates in numpy arrays, and one decision per lead.

:class:`CandidatePool` holds every candidate partnership of one program,
column by column. A decision never loops over candidates in Python:

1. **Eligibility** is a chain of boolean masks, applied in
   :data:`~kanali.leads.routing.features.FILTERS` order; each filter's count
   is the partners it removed that were still in the running, so every
   exclusion is counted once, under the first filter that removed it.
   Set-valued features (countries, regions, certifications, languages,
   industries, specialisations, partner type) are kept as one boolean mask
   per code, so "serves GR or GR-I" is two dictionary look-ups and an OR.
   The filters that depend only on a few facts of the lead are applied once
   and kept (see *Groups* below), so most decisions apply only "declined or
   expired" themselves.
2. **Distance** from the lead to the nearest location of every candidate:
   all their locations are rows of unit vectors, one matrix-vector product
   gives ``u·v`` for each, the haversine is ``(1 - u·v) / 2``, the nearest
   location of a partner with several is taken by ``np.minimum.reduceat``,
   and the arcsine runs once per partner.
3. **Score** is the weighted sum of features normalised to [0, 1] (weights
   normalised to sum to 1, so a score is in [0, 1] too):

   ========================  ==================================================
   distance                  ``1 - km / max_distance_km``, clipped; 0 when unknown
   tier                      tier weight / the pool's highest tier weight
   specialization            share of the lead's industry and product the partner covers
   performance               mean of smoothed win rate and smoothed acceptance rate
   responsiveness            ``1 - median hours to accept / horizon``, clipped
   deal_size                 smoothed win rate on deals of the lead's size band
   fairness                  ``fair / (fair + recent)``, fair = mean recent leads of the eligible
   ========================  ==================================================

4. **Rank** by score (compared to 1e-9, so float noise never beats the tie
   rule), then least recently offered (never offered first), then
   partnership id, folded into one integer key. Nothing is random: the same
   pool, lead and settings always give the same decision. The ``top_n``
   best rounded scores are found by selection (``np.partition``) and only
   the partners holding them get the full key; the full order
   (:attr:`Decision.ranked`) is sorted when first read.

**Groups.** A decision works on contiguous columns of the partners that can
still win, gathered once: per (country, region) the active partners serving
it (a *territory*), and within it, per (language, certification), the
partners that also pass those filters, capacity and pause, with each
filter's count overall and per partner type. A lead restricting partner
types keeps those of its types, and adds up its types' counts (a partner has
one type, and partner type is the first of these filters).

Features that do not depend on the lead (tier, performance, responsiveness,
per-band deal-size rates, their weighted sum, and the rounded figures an
explanation shows) are computed once per settings. Every cache is dropped by
:meth:`CandidatePool.refresh`. The pool is not thread-safe for writers: the
leads app refreshes it from one place and swaps pools rather than mutating
one that requests are reading.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from .explain import EXPLANATION_VERSION, CandidateExplanation, Explanation, FeatureScore, FilterCount
from .features import (
    FEATURES,
    FILTERS,
    SIZE_BAND_NAMES,
    SIZE_BANDS,
    LeadToRoute,
    Mode,
    PartnerFeatures,
    RoutingSettings,
    size_band,
    smoothed_rate,
)
from .geo import EARTH_RADIUS_KM, unit_vectors

Mask = NDArray[np.bool_]
Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

#: Scores equal to this many decimals are a tie.
SCORE_DECIMALS = 9
_SCORE_SCALE = 10.0**SCORE_DECIMALS
#: Decimals of the figures in an explanation (its scores have 6).
_SHOWN_DECIMALS = 4

_DISTANCE, _TIER, _SPECIALIZATION, _PERFORMANCE, _RESPONSIVENESS, _DEAL_SIZE, _FAIRNESS = range(len(FEATURES))
_NO_INTS: Ints = np.zeros(0, dtype=np.int64)
_NO_FLOATS: Floats = np.zeros(0)
_DEFAULT_SETTINGS = RoutingSettings()
#: Territories (country, region) kept gathered at once; the oldest is dropped beyond.
_MAX_TERRITORIES = 512
#: Pre-filtered subsets kept per territory (one per language and certification asked for).
_MAX_SUBSETS = 64

_UNITS = {
    "distance": "km",
    "tier": "weight",
    "specialization": "share",
    "performance": "rate",
    "responsiveness": "hours",
    "deal_size": "rate",
    "fairness": "leads",
}


class _Ranking:
    """The full order of the eligible partners, sorted on first use (most decisions only need the top)."""

    __slots__ = ("_group", "_order", "_positions", "_rounded", "_scale", "_score")

    def __init__(self, group: _Group, positions: Ints, score: Floats, rounded: Floats, scale: int) -> None:
        """``group``'s partners at ``positions`` are the eligible; ``score`` theirs, ``-score`` rounded to integers."""
        self._group, self._positions, self._score, self._rounded, self._scale = group, positions, score, rounded, scale
        self._order: Ints | None = None

    def order(self) -> Ints:
        if self._order is None:
            key = self._rounded.astype(np.int64)
            key *= self._scale
            key += self._group.tiebreak[self._positions]
            self._order = np.argsort(key)
        return self._order

    def ranked(self) -> tuple[int, ...]:
        return tuple(self._group.ids[self._positions[self.order()]].tolist())

    def scores(self) -> tuple[float, ...]:
        return tuple(self._score[self.order()].tolist())


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of routing one lead."""

    #: The partnership to offer the lead to; ``None`` when nobody is eligible or the vendor picks (suggest mode).
    winner: int | None
    mode: Mode
    explanation: Explanation
    _ranking: _Ranking = field(repr=False, compare=False)

    @property
    def ranked(self) -> tuple[int, ...]:
        """Every eligible partnership id, best first."""
        return self._ranking.ranked()

    @property
    def scores(self) -> tuple[float, ...]:
        """Scores in the order of :attr:`ranked`."""
        return self._ranking.scores()


@dataclass(frozen=True, slots=True)
class _Static:
    """What a decision needs that depends on the settings and the pool but not on the lead."""

    weights: tuple[float, ...]
    settings: dict[str, Any]
    #: Per size band, then one row for "value unknown": ``w_tier * tier + w_performance * performance
    #: + w_responsiveness * responsiveness (+ w_deal_size * band win rate)``, the lead-independent score.
    base_score: Floats
    #: The lead-independent figures of every partner's explanation, one array per row of
    #: :data:`_EXPLAINED_ROWS`; a partner's are rounded as shown when first explained.
    explained: tuple[Floats, ...]
    #: Partners' explained figures, rounded, by partner row.
    _explained_rows: dict[int, list[float]] = field(default_factory=dict)

    def explained_row(self, row: int) -> list[float]:
        """Partner ``row``'s figures in :data:`_EXPLAINED_ROWS` order, rounded as shown (read only)."""
        found = self._explained_rows.get(row)
        if found is None:
            figures = np.array([values[row] for values in self.explained])
            found = self._explained_rows[row] = np.round(figures, _SHOWN_DECIMALS).tolist()
        return found


#: Rows of ``_Static.explained``: values, then the band win rates, then weighted contributions.
_EXPLAINED_ROWS = (
    "tier",
    "performance",
    "responsiveness",
    "tier_weight",
    "response_hours",
    "win_rate",
    "acceptance_rate",
    *(f"deal_size:{name}" for name in SIZE_BAND_NAMES),
    "tier_contribution",
    "performance_contribution",
    "responsiveness_contribution",
    *(f"deal_size_contribution:{name}" for name in SIZE_BAND_NAMES),
)


class _Group:
    """Some active partners of the pool, their columns gathered contiguously.

    A decision works on the partners that can still win, a small part of a
    large pool: the pool gathers their columns once (see :class:`_Territory`)
    and a decision reads contiguous arrays without indexing. Set-valued
    filters and shares are gathered per code when first asked for. The pool
    drops its groups whenever a partner changes.
    """

    __slots__ = (
        "_base",
        "_base_static",
        "_gathered",
        "_locations",
        "_pool",
        "_position",
        "_single",
        "_starts",
        "everyone",
        "has_capacity",
        "ids",
        "no_languages",
        "not_paused",
        "recent_float",
        "recent_total",
        "rows",
        "size",
        "tiebreak",
    )

    def __init__(self, pool: CandidatePool, rows: Ints) -> None:
        # Partners with one location (or none) first, so the nearest office is a question only for the rest.
        counts = pool._loc_count[rows]
        several = counts > 1
        if several.any():
            rows = np.concatenate((rows[~several], rows[several]))
            counts = pool._loc_count[rows]
        self._pool = pool
        self.rows: Ints = rows
        self.size = int(rows.size)
        self.everyone: Ints = np.arange(self.size, dtype=np.int64)
        self.ids: Ints = pool._ids[rows]
        self.tiebreak: Ints = pool._tiebreak_rank()[rows]
        self.has_capacity: Mask = pool._has_capacity[rows]
        self.not_paused: Mask = pool._not_paused[rows]
        self.no_languages: Mask = pool._no_languages[rows]
        self.recent_float: Floats = pool._recent[rows].astype(np.float64)
        self.recent_total = int(pool._recent[rows].sum())
        self._position: dict[int, int] | None = None
        self._gathered: dict[tuple[str, str, bool], NDArray[Any] | None] = {}
        self._base: Floats = _NO_FLOATS
        self._base_static: _Static | None = None
        # Every location of these partners as unit vectors (one row each), in partner order: one each
        # for the first ``_single`` partners (NaN without one), then every location of each further
        # partner, which start at ``_starts`` (relative to ``_single``).
        first = pool._loc_start[rows]
        segment = np.cumsum(counts) - counts
        slots = np.arange(int(counts.sum())) + np.repeat(first - segment, counts)
        self._locations: Floats = np.ascontiguousarray(
            np.stack((pool._loc_x[slots], pool._loc_y[slots], pool._loc_z[slots]), axis=1)
        )
        self._single = self.size - int(np.count_nonzero(counts > 1))
        self._starts: Ints = segment[self._single :] - self._single

    def _gather(self, kind: str, code: str, as_float: bool) -> NDArray[Any] | None:
        """The pool's ``_<kind>[code]`` for the territory, as booleans or floats; ``None`` when nobody holds it."""
        cache_key = (kind, code, as_float)
        if cache_key in self._gathered:
            return self._gathered[cache_key]
        masks: dict[str, Mask] = getattr(self._pool, "_" + kind)
        mask = masks.get(code)
        found: NDArray[Any] | None = None
        if mask is not None:
            found = mask[self.rows].astype(np.float64) if as_float else mask[self.rows]
        self._gathered[cache_key] = found
        return found

    def mask(self, kind: str, code: str) -> Mask:
        """Who holds ``code`` among the pool's ``_<kind>`` sets (all false when nobody does)."""
        found = self._gather(kind, code, as_float=False)
        return np.zeros(self.size, dtype=np.bool_) if found is None else found

    def any_of(self, kind: str, codes: Iterable[str]) -> Mask:
        """Who holds at least one of ``codes``."""
        out = np.zeros(self.size, dtype=np.bool_)
        for code in codes:
            found = self._gather(kind, code, as_float=False)
            if found is not None:
                out |= found
        return out

    def share(self, kind: str, code: str) -> Floats:
        """1.0 for who holds ``code``, else 0.0 (shared between decisions: never written to)."""
        found = self._gather(kind, code, as_float=True)
        if found is None:
            found = self._gathered[(kind, code, True)] = np.zeros(self.size)
        return found

    def without(self, partnership_ids: Iterable[int]) -> Mask | None:
        """False for the given partnerships; ``None`` when none of them is in the territory."""
        if self._position is None:
            self._position = dict(zip(self.ids.tolist(), range(self.size), strict=True))
        position = self._position
        gone = [position[pid] for pid in partnership_ids if pid in position]
        if not gone:
            return None
        keep = np.ones(self.size, dtype=np.bool_)
        keep[gone] = False
        return keep

    def base_score(self, static: _Static) -> Floats:
        """:attr:`_Static.base_score` of the group's partners (read only)."""
        if self._base_static is not static:  # one settings at a time is the usual case
            self._base = static.base_score[:, self.rows]
            self._base_static = static
        return self._base

    def distances(self, lead: LeadToRoute) -> Floats | None:
        """Km from the lead to each partner's nearest location (NaN without one); ``None`` without coordinates.

        The haversine of two unit vectors is ``(1 - u·v) / 2``, so one matrix-vector product gives it
        for every location; the nearest location is taken before the arcsine (which is increasing),
        so the arcsine runs once per partner. Agrees with :func:`~.geo.haversine_km` to well under
        a millimetre.
        """
        if lead.lat is None or lead.lon is None:
            return None
        phi, lam = math.radians(lead.lat), math.radians(lead.lon)
        cos_phi = math.cos(phi)
        hav = self._locations @ np.array((cos_phi * math.cos(lam), cos_phi * math.sin(lam), math.sin(phi)))
        np.subtract(1.0, hav, out=hav)
        hav *= 0.5
        if self._single < self.size:
            hav[self._single : self.size] = np.minimum.reduceat(hav[self._single :], self._starts)
        nearest = hav[: self.size]
        # Rounding can leave the same point a hair below 0 (ufuncs rather than np.clip's Python wrapper).
        np.maximum(nearest, 0.0, out=nearest)
        np.minimum(nearest, 1.0, out=nearest)
        np.sqrt(nearest, out=nearest)
        np.arcsin(nearest, out=nearest)
        nearest *= 2 * EARTH_RADIUS_KM
        return nearest


class _Territory:
    """The active partners serving one (country, region), and subsets of them already filtered.

    A lead that does not restrict partner types (most do not) is decided on
    the subset left by its territory, certification, language, capacity and
    pause filters, kept per (language, certification) with each filter's
    count, so only "declined or expired" is left to apply per lead.
    """

    __slots__ = ("_pool", "_subsets", "all")

    def __init__(self, pool: CandidatePool, country: str, region: str) -> None:
        none = np.zeros(pool._n, dtype=np.bool_)
        serves = pool._countries.get(country, none)
        if region:
            serves = serves | pool._regions.get(region, none)
        anywhere = pool._countries.get("*")
        if anywhere is not None:
            serves = serves | anywhere
        self._pool = pool
        self.all = _Group(pool, np.flatnonzero(pool._active & serves))
        self._subsets: dict[tuple[str, str | None], _Filtered] = {}

    def filtered(self, language: str, certification: str | None) -> _Filtered:
        """The partners passing certification, language, capacity and pause, for a lead of any partner type.

        Also counts, per partner type, how many of the territory's partners of that type
        are left after each of those filters, so a lead restricting types gets its counts
        by adding up its types (a partner has one type) without filtering again.
        """
        found = self._subsets.get((language, certification))
        if found is None:
            group = self.all
            masks = (
                None if certification is None else group.mask("certifications", certification),
                group.mask("languages", language) | group.no_languages if language else None,
                group.has_capacity,
                group.not_paused,
            )
            keep, _, removed = _apply(group.size, (None, *masks))
            by_type: dict[str, list[int]] = {}
            for code in self._pool._types:
                left = group.mask("types", code)
                by_type[code] = [int(np.count_nonzero(left))]
                for mask in masks:
                    if mask is not None:
                        left = left & mask
                    by_type[code].append(int(np.count_nonzero(left)))
            if len(self._subsets) >= _MAX_SUBSETS:
                del self._subsets[next(iter(self._subsets))]
            subset = group if keep is None else _Group(self._pool, group.rows[keep])
            found = self._subsets[(language, certification)] = _Filtered(subset, removed, by_type)
        return found


class _Filtered(NamedTuple):
    """A territory's partners left by the lead-independent filters (see :meth:`_Territory.filtered`)."""

    group: _Group
    #: How many the filters partner_type (none: every type), certification, language, capacity, paused removed.
    removed: list[int]
    #: Per partner type: how many of the territory's partners of that type were left before those
    #: filters and after each.
    left_by_type: dict[str, list[int]]


def _serves(record: PartnerFeatures, country: str, region: str) -> bool:
    """Whether ``record`` belongs to the territory (country, region), both upper case."""
    countries = {code.upper() for code in record.countries}
    return country in countries or "*" in countries or (bool(region) and region in {r.upper() for r in record.regions})


def _apply(size: int, masks: Iterable[Mask | None]) -> tuple[Mask | None, int, list[int]]:
    """Filters applied in order to ``size`` partners: who is left (``None``: everyone), how many, removed by each.

    A filter removes only partners still in the running, so each exclusion is counted once.
    """
    keep: Mask | None = None
    remaining = size
    removed: list[int] = []
    for mask in masks:
        gone = 0
        if mask is not None and remaining:
            keep = mask if keep is None else np.logical_and(keep, mask)
            left = int(np.count_nonzero(keep))
            gone, remaining = remaining - left, left
        removed.append(gone)
    return (None if remaining == size else keep), remaining, removed


class CandidatePool:
    """Every candidate of one program, as columns; built once, refreshed one partner at a time."""

    def __init__(self, records: Iterable[PartnerFeatures]) -> None:
        self._records: list[PartnerFeatures] = list(records)
        self._build()

    # -- building -----------------------------------------------------------

    def _build(self) -> None:
        records = self._records
        n = len(records)
        self._index: dict[int, int] = {}
        for i, rec in enumerate(records):
            if rec.partnership_id in self._index:
                raise ValueError(f"partnership {rec.partnership_id} appears twice")
            self._index[rec.partnership_id] = i
        self._n = n
        self._ids: Ints = np.fromiter((r.partnership_id for r in records), dtype=np.int64, count=n)
        self._active: Mask = np.zeros(n, dtype=np.bool_)
        self._not_paused: Mask = np.zeros(n, dtype=np.bool_)
        self._has_capacity: Mask = np.zeros(n, dtype=np.bool_)
        self._no_languages: Mask = np.zeros(n, dtype=np.bool_)
        self._tier_weight: Floats = np.zeros(n)
        self._won: Floats = np.zeros(n)
        self._closed: Floats = np.zeros(n)
        self._accepted: Floats = np.zeros(n)
        self._offered: Floats = np.zeros(n)
        self._median_hours: Floats = np.zeros(n)
        self._recent: Ints = np.zeros(n, dtype=np.int64)
        self._last_offered: Floats = np.zeros(n)
        self._last_offered_iso: list[str | None] = [None] * n
        self._band_won: Floats = np.zeros((len(SIZE_BANDS), n))
        self._band_closed: Floats = np.zeros((len(SIZE_BANDS), n))
        self._countries: dict[str, Mask] = {}
        self._regions: dict[str, Mask] = {}
        self._types: dict[str, Mask] = {}
        self._certifications: dict[str, Mask] = {}
        self._languages: dict[str, Mask] = {}
        self._industries: dict[str, Mask] = {}
        self._specializations: dict[str, Mask] = {}
        for i, rec in enumerate(records):
            self._set_row(i, rec)
        self._build_locations()
        self._n_active = int(np.count_nonzero(self._active))
        #: Rounded scores are multiplied by this and tie-break ranks (0 .. n - 1) added: unique sort keys.
        self._key_scale = max(n, 1)
        self._territories: dict[tuple[str, str], _Territory] = {}
        self._static: dict[RoutingSettings, _Static] = {}
        self._last_settings: RoutingSettings | None = None
        self._last_static: _Static | None = None
        self._tiebreak: Ints | None = None

    def _set_bits(self, masks: dict[str, Mask], codes: Iterable[str], i: int, value: bool) -> None:
        for code in codes:
            mask = masks.get(code)
            if mask is None:
                if not value:
                    continue
                mask = masks[code] = np.zeros(self._n, dtype=np.bool_)
            mask[i] = value

    def _set_sets(self, i: int, rec: PartnerFeatures, value: bool) -> None:
        self._set_bits(self._countries, (c.upper() for c in rec.countries), i, value)
        self._set_bits(self._regions, (r.upper() for r in rec.regions), i, value)
        self._set_bits(self._types, (rec.partner_type,) if rec.partner_type else (), i, value)
        self._set_bits(self._certifications, rec.certifications, i, value)
        self._set_bits(self._languages, (lang.lower() for lang in rec.languages), i, value)
        self._set_bits(self._industries, rec.industries, i, value)
        self._set_bits(self._specializations, rec.specializations, i, value)

    def _set_row(self, i: int, rec: PartnerFeatures) -> None:
        self._active[i] = rec.active
        self._not_paused[i] = not rec.paused
        self._has_capacity[i] = rec.capacity is None or rec.open_leads < rec.capacity
        self._no_languages[i] = not rec.languages
        self._tier_weight[i] = max(0.0, float(rec.tier_weight))
        self._won[i] = rec.deals_won
        self._closed[i] = rec.deals_closed
        self._accepted[i] = rec.leads_accepted
        self._offered[i] = rec.leads_offered
        self._median_hours[i] = math.nan if rec.median_hours_to_accept is None else rec.median_hours_to_accept
        self._recent[i] = rec.recent_leads
        self._last_offered[i] = -math.inf if rec.last_offered_at is None else rec.last_offered_at.timestamp()
        self._last_offered_iso[i] = None if rec.last_offered_at is None else rec.last_offered_at.isoformat()
        for b, band in enumerate(SIZE_BAND_NAMES):
            won, closed = rec.deal_sizes.get(band, (0, 0))
            self._band_won[b, i] = won
            self._band_closed[b, i] = closed
        self._set_sets(i, rec, True)

    def _build_locations(self) -> None:
        """Every location of every partner as unit vectors, flattened in partner order.

        Partner ``i`` owns the ``_loc_count[i]`` slots from ``_loc_start[i]``; a
        partner without a location owns one NaN slot, so every partner has a
        non-empty segment and its nearest office is ``np.minimum.reduceat`` over
        the segments (NaN when it has none).
        """
        lats: list[float] = []
        lons: list[float] = []
        counts = np.ones(self._n, dtype=np.int64)
        for i, rec in enumerate(self._records):
            if rec.locations:
                counts[i] = len(rec.locations)
                for lat, lon in rec.locations:
                    lats.append(lat)
                    lons.append(lon)
            else:
                lats.append(math.nan)
                lons.append(math.nan)
        self._loc_x, self._loc_y, self._loc_z = unit_vectors(np.array(lats), np.array(lons))
        self._loc_count: Ints = counts
        self._loc_start: Ints = np.cumsum(counts) - counts

    # -- reading and refreshing --------------------------------------------

    def __len__(self) -> int:
        return self._n

    def __contains__(self, partnership_id: object) -> bool:
        return partnership_id in self._index

    def __iter__(self) -> Iterator[PartnerFeatures]:
        return iter(self._records)

    def get(self, partnership_id: int) -> PartnerFeatures:
        return self._records[self._index[partnership_id]]

    def refresh(self, record: PartnerFeatures) -> None:
        """Replace one partnership's row (or add it when new)."""
        i = self._index.get(record.partnership_id)
        if i is None:
            self._records.append(record)
            self._build()
            return
        old = self._records[i]
        self._set_sets(i, old, False)
        self._records[i] = record
        self._set_row(i, record)
        if old.locations != record.locations:
            self._build_locations()
        self._n_active = int(np.count_nonzero(self._active))
        # Only the territories this partner served or serves now hold it; the others stay. Their tie-break
        # ranks keep their order (only this partner moved), and their scores come from the rebuilt statics.
        for place in [place for place in self._territories if _serves(old, *place) or _serves(record, *place)]:
            del self._territories[place]
        self._static.clear()
        self._last_static = None
        self._tiebreak = None

    # -- deciding -----------------------------------------------------------

    def _static_for(self, settings: RoutingSettings) -> _Static:
        if settings is self._last_settings and self._last_static is not None:
            return self._last_static  # the same settings object again: skip hashing it
        cached = self._static.get(settings)
        if cached is not None:
            self._last_settings, self._last_static = settings, cached
            return cached
        w = settings.weights.normalised()
        top_tier = float(self._tier_weight.max()) if self._n else 0.0
        tier = self._tier_weight / top_tier if top_tier > 0 else np.zeros(self._n)
        win_rate = smoothed_rate(self._won, self._closed, settings.win_prior)
        acceptance_rate = smoothed_rate(self._accepted, self._offered, settings.acceptance_prior)
        performance = (win_rate + acceptance_rate) / 2
        hours = np.where(np.isnan(self._median_hours), settings.unknown_response_hours, self._median_hours)
        horizon = settings.response_horizon_hours
        responsiveness = 1.0 - np.minimum(np.maximum(hours, 0.0), horizon) / horizon
        band_rate = smoothed_rate(self._band_won, self._band_closed, settings.win_prior)
        base = w[_TIER] * tier + w[_PERFORMANCE] * performance + w[_RESPONSIVENESS] * responsiveness
        explained = (
            tier,
            performance,
            responsiveness,
            self._tier_weight.copy(),
            hours,
            win_rate,
            acceptance_rate,
            *band_rate,
            w[_TIER] * tier,
            w[_PERFORMANCE] * performance,
            w[_RESPONSIVENESS] * responsiveness,
            *(w[_DEAL_SIZE] * band_rate),
        )
        static = _Static(
            weights=w,
            settings=settings.to_dict(),
            base_score=np.vstack([base + w[_DEAL_SIZE] * rate for rate in band_rate] + [base]),
            explained=explained,
        )
        self._static[settings] = static
        self._last_settings, self._last_static = settings, static
        return static

    def _tiebreak_rank(self) -> Ints:
        """Each partner's place in (least recently offered, lowest id) order, computed when stale."""
        if self._tiebreak is None:
            order = np.lexsort((self._ids, self._last_offered))
            rank = np.empty(self._n, dtype=np.int64)
            rank[order] = np.arange(self._n, dtype=np.int64)
            self._tiebreak = rank
        return self._tiebreak

    def _territory(self, lead: LeadToRoute) -> _Territory:
        """The active partners serving the lead's country or region, gathered once per (country, region)."""
        place = (lead.country.upper(), lead.region.upper())
        found = self._territories.get(place)
        if found is None:
            if len(self._territories) >= _MAX_TERRITORIES:
                del self._territories[next(iter(self._territories))]  # the oldest; rebuilt if needed again
            found = self._territories[place] = _Territory(self, *place)
        return found

    def _eligibility(self, lead: LeadToRoute) -> tuple[_Group, Mask | None, int, list[FilterCount]]:
        """The partners a lead may go to, and how many each filter removed, in :data:`FILTERS` order.

        Returns a group holding every eligible partner, a mask over it (``None``: all of it),
        the number eligible and the counts.
        """
        terr = self._territory(lead)
        group, removed, left_by_type = terr.filtered(lead.language.lower(), lead.required_certification)
        declined = group.without(lead.excluded) if lead.excluded else None
        if lead.partner_types is None:
            keep, remaining, last = _apply(group.size, (declined,))
            removed = [*removed, *last]
        else:
            # Partner type is the first of these filters: count per type, then keep the group's partners of
            # the lead's types; each partner has one type, so the counts of the types add up.
            left = [0] * (len(removed))
            for code in lead.partner_types:
                for stage, count in enumerate(left_by_type.get(code, ())):
                    left[stage] += count
            before = [terr.all.size, *left[:-1]]
            removed = [a - b for a, b in zip(before, left, strict=True)]
            keep, remaining, last = _apply(group.size, (group.any_of("types", lead.partner_types), declined))
            removed.append(last[1])
        counts: list[FilterCount] = [
            {"filter": FILTERS[0], "excluded": self._n - self._n_active},
            {"filter": FILTERS[1], "excluded": self._n_active - terr.all.size},
        ]
        counts.extend({"filter": name, "excluded": gone} for name, gone in zip(FILTERS[2:], removed, strict=True))
        return group, keep, remaining, counts

    def decide(self, lead: LeadToRoute, settings: RoutingSettings | None = None) -> Decision:
        """Rank the eligible candidates for ``lead`` and explain the choice."""
        settings = settings or _DEFAULT_SETTINGS
        static = self._static_for(settings)
        w = static.weights
        terr, keep, m, counts = self._eligibility(lead)
        band = size_band(lead.value)

        # Every feature is computed over the whole territory (contiguous columns, no gathers), then
        # only the eligible are ranked. Lead-independent part first (with the deal-size fit of the
        # lead's band), then the lead-dependent features, always added in this order.
        base = terr.base_score(static)[len(SIZE_BANDS) if band is None else band]
        distance = terr.distances(lead)
        distance_norm: Floats | None = None
        if distance is not None:
            distance_norm = distance / settings.max_distance_km
            np.subtract(1.0, distance_norm, out=distance_norm)
            np.fmax(distance_norm, 0.0, out=distance_norm)  # NaN (no location) -> 0
            score = base + w[_DISTANCE] * distance_norm
        else:
            score = base.copy()  # the cached row is never written to

        specialization: Floats | None = None
        parts = [
            terr.share(kind, value)
            for value, kind in ((lead.industry, "industries"), (lead.product, "specializations"))
            if value
        ]
        if parts:
            specialization = parts[0] if len(parts) == 1 else (parts[0] + parts[1]) / 2
            score += w[_SPECIALIZATION] * specialization

        # fair / (fair + recent): 1 with no recent leads, 0.5 at the fair share, towards 0 beyond.
        total_recent = int(terr.recent_total if keep is None else np.dot(terr.recent_float, keep))
        fair_share = total_recent / m if m else None
        fairness: Floats | None = None
        if total_recent and fair_share:
            fairness = terr.recent_float + fair_share
            np.divide(fair_share, fairness, out=fairness)
            score += w[_FAIRNESS] * fairness
        else:
            score += w[_FAIRNESS]  # everyone at 1

        # Rank by score to SCORE_DECIMALS (best first), then the tie-break rank. The best k rounded
        # scores are found by selection; only the partners with one of them get the full integer key
        # (rounded score, then tie-break rank: unique), and the rest are sorted if someone asks.
        pos = terr.everyone if keep is None else keep.nonzero()[0]
        eligible_score = score if keep is None else score[pos]
        rounded = eligible_score * -_SCORE_SCALE
        np.rint(rounded, out=rounded)
        k = min(max(settings.top_n, 1), m)
        top = _NO_INTS
        if k:
            selected = rounded.copy()
            selected.partition(k - 1)
            near = (rounded <= selected[k - 1]).nonzero()[0]
            near_key = rounded[near].astype(np.int64)
            near_key *= self._key_scale
            near_key += terr.tiebreak[pos[near]]
            top = near[near_key.argsort()[:k]]
        ranking = _Ranking(terr, pos, eligible_score, rounded, self._key_scale)
        explained = pos[top[: settings.top_n]]  # territory positions of the explained candidates
        winner = int(terr.ids[pos[top[0]]]) if m and settings.mode is not Mode.SUGGEST else None

        explanation: Explanation = {
            "version": EXPLANATION_VERSION,
            "mode": str(settings.mode),
            "considered": self._n,
            "excluded": counts,
            "eligible": m,
            "winner": winner,
            "lead": {
                "country": lead.country.upper(),
                "region": lead.region.upper(),
                "has_coordinates": lead.has_coordinates,
                "size_band": None if band is None else SIZE_BAND_NAMES[band],
            },
            "settings": {**static.settings, "weights": dict(static.settings["weights"])},
            "units": dict(_UNITS),
            "fair_share": None if fair_share is None else round(fair_share, 4),
            "top": self._explain_top(
                lead,
                band,
                static,
                terr.rows[explained],
                (distance_norm, specialization, fairness, distance),
                terr,
                explained,
                score,
            ),
        }
        return Decision(winner=winner, mode=settings.mode, explanation=explanation, _ranking=ranking)

    def _explain_top(
        self,
        lead: LeadToRoute,
        band: int | None,
        static: _Static,
        rows: Ints,
        features: tuple[Floats | None, Floats | None, Floats | None, Floats | None],
        terr: _Group,
        explained: Ints,
        score: Floats,
    ) -> list[CandidateExplanation]:
        """Every feature of the top candidates: raw value, normalised value, weighted contribution.

        The lead-independent figures are read, already rounded, from ``static``; the few
        lead-dependent ones are rounded here in plain Python, exactly as ``np.round`` would:
        numpy rounds by ``rint(value * 10**4) / 10**4``, Python's ``round`` to an integer is the
        same round-half-even, and the products and quotient are the same IEEE operations
        (every value here is finite and not negative).
        """
        k = int(rows.size)
        if not k:
            return []
        w = static.weights
        w_distance, w_specialization, w_fairness = w[_DISTANCE], w[_SPECIALIZATION], w[_FAIRNESS]
        distance_norm, specialization, fairness, distance = features
        nowhere = [math.nan] * k
        d_norm = [0.0] * k if distance_norm is None else distance_norm[explained].tolist()
        spec = [0.0] * k if specialization is None else specialization[explained].tolist()
        fair = [1.0] * k if fairness is None else fairness[explained].tolist()
        km = nowhere if distance is None else distance[explained].tolist()
        recent = terr.recent_float[explained].tolist()
        scores = score[explained].tolist()
        bands = len(SIZE_BANDS)
        band_name = None if band is None else SIZE_BAND_NAMES[band]
        records = self._records
        top: list[CandidateExplanation] = []
        for c, i in enumerate(rows.tolist()):
            rec = records[i]
            values = static.explained_row(i)
            n1, n3, n4, r1, r4, win, acc = values[:7]
            c1, c3, c4 = values[7 + bands : 10 + bands]
            n0, n2, n6 = d_norm[c], spec[c], fair[c]
            r0 = km[c]
            size_fit: FeatureScore
            if band is None:
                size_fit = {"feature": "deal_size", "raw": None, "normalised": 0.0, "contribution": 0.0}
            else:
                won, closed = rec.deal_sizes.get(band_name, (0, 0))  # type: ignore[arg-type]
                size_fit = {
                    "feature": "deal_size",
                    "raw": values[7 + band],
                    "normalised": values[7 + band],
                    "contribution": values[10 + bands + band],
                    "detail": {"band": band_name, "won": won, "closed": closed},
                }
            features_: list[FeatureScore] = [
                {
                    "feature": "distance",
                    "raw": round(r0 * 1e4) / 1e4 if r0 == r0 else None,  # NaN (never equal to itself): unknown
                    "normalised": round(n0 * 1e4) / 1e4,
                    "contribution": round(w_distance * n0 * 1e4) / 1e4,
                },
                {"feature": "tier", "raw": r1, "normalised": n1, "contribution": c1},
                {
                    "feature": "specialization",
                    "raw": n2,  # 0, 0.5 or 1: already round
                    "normalised": n2,
                    "contribution": round(w_specialization * n2 * 1e4) / 1e4,
                    "detail": {
                        "industry": bool(lead.industry) and lead.industry in rec.industries,
                        "product": bool(lead.product) and lead.product in rec.specializations,
                    },
                },
                {
                    "feature": "performance",
                    "raw": n3,
                    "normalised": n3,
                    "contribution": c3,
                    "detail": {
                        "win_rate": win,
                        "deals_won": rec.deals_won,
                        "deals_closed": rec.deals_closed,
                        "acceptance_rate": acc,
                        "leads_accepted": rec.leads_accepted,
                        "leads_offered": rec.leads_offered,
                    },
                },
                {
                    "feature": "responsiveness",
                    "raw": r4,
                    "normalised": n4,
                    "contribution": c4,
                    "detail": {"measured": rec.median_hours_to_accept is not None},
                },
                size_fit,
                {
                    "feature": "fairness",
                    "raw": recent[c],  # a count: already round
                    "normalised": round(n6 * 1e4) / 1e4,
                    "contribution": round(w_fairness * n6 * 1e4) / 1e4,
                },
            ]
            top.append(
                {
                    "rank": c + 1,
                    "partnership_id": rec.partnership_id,
                    "name": rec.name,
                    "score": round(scores[c] * 1e6) / 1e6,
                    "last_offered_at": self._last_offered_iso[i],
                    "features": features_,
                }
            )
        return top
