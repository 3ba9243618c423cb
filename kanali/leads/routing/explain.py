"""The explanation stored with every routing decision, and the part of it a partner may see.

An explanation is a plain JSON-ready dict (it goes into a JSON column and the
API as is). The vendor sees all of it: how many partners were considered,
how many each eligibility filter removed (counted under the first filter
that removed a partner, in :data:`~kanali.leads.routing.features.FILTERS`
order), how many were eligible, and the top candidates with every feature's
raw value, normalised value and weighted contribution.

A partner sees :func:`partner_view`: whether the lead was offered to it and
its own fit reasons, never another partner's id, name, rank or figures, nor
how many partners competed.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

EXPLANATION_VERSION = 1


class FilterCount(TypedDict):
    filter: str
    excluded: int


class FeatureScore(TypedDict):
    feature: str
    #: The measured value, in the explanation's ``units`` for the feature (km, hours, a rate, a count …);
    #: ``None`` when unknown.
    raw: float | None
    normalised: float
    #: The feature's normalised weight times its normalised value; a candidate's contributions sum to its score.
    contribution: float
    #: Facts about this partner behind the raw value (counts, band, …).
    detail: NotRequired[dict[str, Any]]


class CandidateExplanation(TypedDict):
    rank: int
    partnership_id: int
    name: str
    score: float
    last_offered_at: str | None
    features: list[FeatureScore]


class Explanation(TypedDict):
    version: int
    mode: str
    considered: int
    excluded: list[FilterCount]
    eligible: int
    winner: int | None
    lead: dict[str, Any]
    settings: dict[str, Any]
    units: dict[str, str]
    fair_share: float | None
    top: list[CandidateExplanation]


class PartnerReason(TypedDict):
    feature: str
    raw: float | None
    unit: str
    normalised: float
    detail: NotRequired[dict[str, Any]]


class PartnerView(TypedDict):
    partnership_id: int
    offered: bool
    reasons: list[PartnerReason]


def partner_view(explanation: Explanation, partnership_id: int, *, offered: bool | None = None) -> PartnerView:
    """What the partner ``partnership_id`` may see of a decision.

    ``offered`` defaults to "this partner won the decision"; the leads app
    passes ``True`` when a vendor picked the partner from suggestions. A
    partner that was not offered the lead sees no reasons at all.
    """
    if offered is None:
        offered = explanation["winner"] == partnership_id
    own = next((c for c in explanation["top"] if c["partnership_id"] == partnership_id), None)
    reasons: list[PartnerReason] = []
    if offered and own is not None:
        ranked = sorted(own["features"], key=lambda f: (-f["contribution"], f["feature"]))
        for f in ranked:
            reason: PartnerReason = {
                "feature": f["feature"],
                "raw": f["raw"],
                "unit": explanation["units"].get(f["feature"], ""),
                "normalised": f["normalised"],
            }
            if "detail" in f:
                reason["detail"] = dict(f["detail"])
            reasons.append(reason)
    return {"partnership_id": partnership_id, "offered": bool(offered), "reasons": reasons}
