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
2. **Distance** is a vectorised haversine from the lead to every location of
   the eligible partners: each partner's first location is a column, further
   ones are flattened in partner order (start and count per partner) and
   reduced with ``np.minimum.reduceat``, so the nearest office counts.
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
   pool, lead and settings always give the same decision. The top
   ``top_n`` are found by partial sort; the full order
   (:attr:`Decision.ranked`) is sorted when first read.

Features that do not depend on the lead (tier, performance, responsiveness,
per-band deal-size rates, and their weighted sum) are computed once per
settings and kept until the next :meth:`CandidatePool.refresh`.
The pool is not thread-safe for writers: the leads app refreshes it from one
place and swaps pools rather than mutating one that requests are reading.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

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
from .geo import haversine_km_many, unit_vectors

Mask = NDArray[np.bool_]
Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

#: Scores equal to this many decimals are a tie.
SCORE_DECIMALS = 9
_SCORE_SCALE = 10.0**SCORE_DECIMALS

_DISTANCE, _TIER, _SPECIALIZATION, _PERFORMANCE, _RESPONSIVENESS, _DEAL_SIZE, _FAIRNESS = range(len(FEATURES))
_NO_INTS: Ints = np.zeros(0, dtype=np.int64)
_NO_FLOATS: Floats = np.zeros(0)
_DEFAULT_SETTINGS = RoutingSettings()
#: Above this many eligible partners, find the top by partial sort and sort the rest only when asked.
_PARTIAL_SORT_FROM = 256

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

    __slots__ = ("_ids", "_key", "_order", "_score")

    def __init__(self, ids: Ints, score: Floats, key: Ints, order: Ints | None) -> None:
        self._ids, self._score, self._key, self._order = ids, score, key, order

    def order(self) -> Ints:
        if self._order is None:
            self._order = np.argsort(self._key)
        return self._order

    def ranked(self) -> tuple[int, ...]:
        return tuple(self._ids[self.order()].tolist())

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
    weights_column: Floats  # shape (features, 1)
    settings: dict[str, Any]
    #: Per size band, then one row for "value unknown": ``w_tier * tier + w_performance * performance
    #: + w_responsiveness * responsiveness (+ w_deal_size * band win rate)``, the lead-independent score.
    base_score: Floats
    #: Rows of :data:`_STATIC_ROWS` for every partner, gathered at once for the explanation.
    table: Floats


#: Lead-independent rows of ``_Static.table``; the band win rates follow them.
_STATIC_ROWS = ("tier", "performance", "responsiveness", "tier_weight", "response_hours", "win_rate", "acceptance_rate")
_BAND_ROWS = len(_STATIC_ROWS)


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
        self._none: Mask = np.zeros(n, dtype=np.bool_)
        self._static: dict[RoutingSettings, _Static] = {}
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
        """Each partner's first location as columns (NaN without one); further ones flattened, in partner order.

        ``_extra_start[i]`` and ``_extra_count[i]`` locate partner ``i``'s further
        locations in the ``_extra_*`` arrays, so its nearest office is the minimum
        over one contiguous segment (``np.minimum.reduceat``).
        """
        n = self._n
        first = np.full((n, 2), np.nan)
        extra: list[tuple[float, float]] = []
        counts = np.zeros(n, dtype=np.int64)
        for i, rec in enumerate(self._records):
            if rec.locations:
                first[i] = rec.locations[0]
                counts[i] = len(rec.locations) - 1
                extra.extend(rec.locations[1:])
        extra_deg = np.array(extra, dtype=np.float64).reshape(-1, 2)
        self._x, self._y, self._z = unit_vectors(first[:, 0], first[:, 1])
        self._extra_x, self._extra_y, self._extra_z = unit_vectors(extra_deg[:, 0], extra_deg[:, 1])
        self._extra_count: Ints = counts
        self._extra_start: Ints = np.cumsum(counts) - counts
        self._has_extra: Mask = counts > 0

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
        self._static.clear()
        self._tiebreak = None

    # -- deciding -----------------------------------------------------------

    def _static_for(self, settings: RoutingSettings) -> _Static:
        cached = self._static.get(settings)
        if cached is not None:
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
        static = _Static(
            weights=w,
            weights_column=np.array(w).reshape(-1, 1),
            settings=settings.to_dict(),
            base_score=np.vstack([base + w[_DEAL_SIZE] * rate for rate in band_rate] + [base]),
            table=np.vstack(
                (tier, performance, responsiveness, self._tier_weight, hours, win_rate, acceptance_rate, band_rate)
            ),
        )
        self._static[settings] = static
        return static

    def _tiebreak_rank(self) -> Ints:
        """Each partner's place in (least recently offered, lowest id) order, computed when stale."""
        if self._tiebreak is None:
            order = np.lexsort((self._ids, self._last_offered))
            rank = np.empty(self._n, dtype=np.int64)
            rank[order] = np.arange(self._n, dtype=np.int64)
            self._tiebreak = rank
        return self._tiebreak

    def _eligibility(self, lead: LeadToRoute) -> tuple[Mask, list[FilterCount]]:
        n = self._n
        none = self._none

        territory = self._countries.get(lead.country.upper(), none)
        if lead.region:
            territory = territory | self._regions.get(lead.region.upper(), none)
        anywhere = self._countries.get("*")
        if anywhere is not None:
            territory = territory | anywhere

        partner_type: Mask | None = None
        if lead.partner_types is not None:
            partner_type = none
            for t in lead.partner_types:
                mask = self._types.get(t)
                if mask is not None:
                    partner_type = partner_type | mask

        certification: Mask | None = None
        if lead.required_certification is not None:
            certification = self._certifications.get(lead.required_certification, none)

        language: Mask | None = None
        if lead.language:
            language = self._languages.get(lead.language.lower(), none) | self._no_languages

        declined: Mask | None = None
        gone = [self._index[pid] for pid in lead.excluded if pid in self._index]
        if gone:
            declined = np.ones(n, dtype=np.bool_)
            declined[gone] = False

        masks: tuple[Mask | None, ...] = (
            self._active,
            territory,
            partner_type,
            certification,
            language,
            self._has_capacity,
            self._not_paused,
            declined,
        )
        keep = self._active.copy()
        remaining = int(np.count_nonzero(keep))
        counts: list[FilterCount] = [{"filter": FILTERS[0], "excluded": n - remaining}]
        for name, mask in zip(FILTERS[1:], masks[1:], strict=True):
            removed = 0
            if mask is not None and remaining:
                np.logical_and(keep, mask, out=keep)
                left = int(np.count_nonzero(keep))
                removed, remaining = remaining - left, left
            counts.append({"filter": name, "excluded": removed})
        return keep, counts

    def _distances(self, lead: LeadToRoute, idx: Ints) -> Floats | None:
        """Km from the lead to each eligible partner's nearest location (NaN if it has none).

        ``None`` when the lead has no coordinates.
        """
        if lead.lat is None or lead.lon is None:
            return None
        m = idx.size
        x, y, z = self._x[idx], self._y[idx], self._z[idx]
        with_extra = np.flatnonzero(self._has_extra[idx])
        if with_extra.size:
            # Append the further locations of those partners, one contiguous segment each.
            owners = idx[with_extra]
            counts = self._extra_count[owners]
            segment = np.cumsum(counts) - counts
            locs = np.arange(int(counts.sum())) + np.repeat(self._extra_start[owners] - segment, counts)
            x = np.concatenate((x, self._extra_x[locs]))
            y = np.concatenate((y, self._extra_y[locs]))
            z = np.concatenate((z, self._extra_z[locs]))
        km = haversine_km_many(lead.lat, lead.lon, x, y, z)
        nearest = km[:m]
        if with_extra.size:
            nearest[with_extra] = np.fmin(nearest[with_extra], np.minimum.reduceat(km[m:], segment))
        return nearest

    def decide(self, lead: LeadToRoute, settings: RoutingSettings | None = None) -> Decision:
        """Rank the eligible candidates for ``lead`` and explain the choice."""
        settings = settings or _DEFAULT_SETTINGS
        static = self._static_for(settings)
        w = static.weights
        keep, counts = self._eligibility(lead)
        idx = np.flatnonzero(keep)
        m = int(idx.size)
        band = size_band(lead.value)

        # Lead-independent part (with the deal-size fit of the lead's band), then the lead-dependent
        # features of the eligible partners. A feature that is zero for everyone is not added.
        score = static.base_score[len(SIZE_BANDS) if band is None else band, idx]
        distance = self._distances(lead, idx)
        distance_norm: Floats | None = None
        if distance is not None:
            distance_norm = np.fmax(1.0 - distance / settings.max_distance_km, 0.0)  # NaN (no location) -> 0
            score += w[_DISTANCE] * distance_norm

        specialization: Floats | None = None
        parts = [
            masks.get(value)
            for value, masks in ((lead.industry, self._industries), (lead.product, self._specializations))
            if value
        ]
        if parts:
            specialization = np.zeros(m)
            for mask in parts:
                if mask is not None:
                    specialization += mask[idx]
            specialization /= len(parts)
            score += w[_SPECIALIZATION] * specialization

        # fair / (fair + recent): 1 with no recent leads, 0.5 at the fair share, towards 0 beyond.
        recent = self._recent[idx]
        total_recent = int(recent.sum())
        fair_share = total_recent / m if m else None
        fairness: Floats | None = None
        if total_recent and fair_share:
            fairness = np.divide(fair_share, fair_share + recent, dtype=np.float64)
            score += w[_FAIRNESS] * fairness
        else:
            score += w[_FAIRNESS]  # everyone at 1

        # One integer sort key per partner: score to SCORE_DECIMALS (best first), then the tie-break rank.
        key = (_SCORE_SCALE - np.rint(score * _SCORE_SCALE)).astype(np.int64)
        key *= max(self._n, 1)
        key += self._tiebreak_rank()[idx]
        k = min(max(settings.top_n, 1), m)
        order: Ints | None = None
        if m > _PARTIAL_SORT_FROM:
            top_pos = np.argpartition(key, k - 1)[:k]
            top_pos = top_pos[np.argsort(key[top_pos])]
        else:
            order = np.argsort(key)
            top_pos = order[:k]
        top_idx = idx[top_pos]
        ranking = _Ranking(self._ids[idx], score, key, order)
        winner = int(self._ids[top_idx[0]]) if m and settings.mode is not Mode.SUGGEST else None

        explained = top_pos[: settings.top_n]
        lead_rows = [
            _at(distance_norm, explained),
            _at(specialization, explained),
            _at(fairness, explained, default=1.0),
            _at(distance, explained, default=math.nan),
            recent[explained],
            score[explained],
        ]
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
            "top": self._explain_top(lead, band, static, top_idx[: settings.top_n], lead_rows),
        }
        return Decision(winner=winner, mode=settings.mode, explanation=explanation, _ranking=ranking)

    def _explain_top(
        self, lead: LeadToRoute, band: int | None, static: _Static, top_idx: Ints, lead_rows: list[NDArray[Any]]
    ) -> list[CandidateExplanation]:
        """Every feature of the top candidates: raw value, normalised value, weighted contribution."""
        if not top_idx.size:
            return []
        distance_norm, specialization, fairness, distance, recent, score = lead_rows
        tier, performance, responsiveness, tier_weight, hours, win_rate, acceptance, *band_rates = static.table[
            :, top_idx
        ]
        deal_size = band_rates[band] if band is not None else np.zeros(top_idx.size)
        normalised = np.array((distance_norm, tier, specialization, performance, responsiveness, deal_size, fairness))
        raw = np.array(
            (
                distance,
                tier_weight,
                specialization,
                performance,
                hours,
                deal_size if band is not None else np.full(top_idx.size, np.nan),
                recent,
            )
        )
        table = np.concatenate((normalised, raw, static.weights_column * normalised, (win_rate, acceptance)))
        # One row per candidate: 7 normalised, 7 raw, 7 contributions, win rate, acceptance rate.
        rows = np.round(table, 4).T.tolist()
        scores = np.round(score, 6).tolist()
        band_name = None if band is None else SIZE_BAND_NAMES[band]
        top: list[CandidateExplanation] = []
        for c, i in enumerate(top_idx.tolist()):
            rec = self._records[i]
            n0, n1, n2, n3, n4, n5, n6, r0, r1, r2, r3, r4, r5, r6, c0, c1, c2, c3, c4, c5, c6, win, acc = rows[c]
            size_fit: FeatureScore = {"feature": "deal_size", "raw": None, "normalised": n5, "contribution": c5}
            if band_name is not None:
                won, closed = rec.deal_sizes.get(band_name, (0, 0))
                size_fit["raw"] = r5
                size_fit["detail"] = {"band": band_name, "won": won, "closed": closed}
            features: list[FeatureScore] = [
                # r0 is NaN (never equal to itself) when the distance is unknown.
                {"feature": "distance", "raw": r0 if r0 == r0 else None, "normalised": n0, "contribution": c0},
                {"feature": "tier", "raw": r1, "normalised": n1, "contribution": c1},
                {
                    "feature": "specialization",
                    "raw": r2,
                    "normalised": n2,
                    "contribution": c2,
                    "detail": {
                        "industry": bool(lead.industry) and lead.industry in rec.industries,
                        "product": bool(lead.product) and lead.product in rec.specializations,
                    },
                },
                {
                    "feature": "performance",
                    "raw": r3,
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
                {"feature": "fairness", "raw": r6, "normalised": n6, "contribution": c6},
            ]
            top.append(
                {
                    "rank": c + 1,
                    "partnership_id": rec.partnership_id,
                    "name": rec.name,
                    "score": scores[c],
                    "last_offered_at": self._last_offered_iso[i],
                    "features": features,
                }
            )
        return top


def _at(values: Floats | None, positions: Ints, default: float = 0.0) -> Floats:
    """``values[positions]``, or ``default`` everywhere when the feature was not computed."""
    return np.full(positions.size, default) if values is None else values[positions]
