"""Stored routing explanations turned into rows a person can read: labels, units, bars.

The explanation JSON is the engine's (``kanali.leads.routing.explain``); this
module only formats it. Vendor pages get :func:`vendor_explanation`, the
partner portal :func:`partner_reasons` (its own fit reasons, nothing else).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanali.leads.forms import FEATURE_LABELS, FILTER_LABELS
from kanali.leads.models import Lead, LeadEvent
from kanali.leads.routing import FEATURES

#: What each history entry says; an action not listed shows its code.
EVENT_LABELS: dict[str, Any] = {
    "created": gettext_lazy("Received"),
    "offered": gettext_lazy("Offered"),
    "suggested": gettext_lazy("Ranked for a person to pick"),
    "reminded": gettext_lazy("Reminder sent"),
    "accepted": gettext_lazy("Accepted"),
    "declined": gettext_lazy("Declined"),
    "expired": gettext_lazy("Not answered in time"),
    "withdrawn": gettext_lazy("Offer withdrawn"),
    "taken_back": gettext_lazy("Taken back from the partner"),
    "returned": gettext_lazy("Returned to the queue"),
    "contacted": gettext_lazy("Contacted"),
    "qualified": gettext_lazy("Qualified"),
    "converted": gettext_lazy("Converted"),
    "disqualified": gettext_lazy("Disqualified"),
}
_STATUS_LABELS = dict(Lead.Status.choices)


@dataclass
class HistoryRow:
    event: LeadEvent
    label: str
    from_status: str
    to_status: str


def labelled_history(events: list[LeadEvent]) -> list[HistoryRow]:
    """History entries with readable action and status names."""
    return [
        HistoryRow(
            event=e,
            label=str(EVENT_LABELS.get(e.action, e.action)),
            from_status=str(_STATUS_LABELS.get(e.from_status, e.from_status)),
            to_status=str(_STATUS_LABELS.get(e.to_status, e.to_status)),
        )
        for e in events
    ]


def _number(value: float, digits: int = 1) -> str:
    return number_format(round(value, digits), digits)


def format_raw(feature: str, raw: Any, detail: Mapping[str, Any] | None = None) -> str:
    """A feature's measured value in its unit: 12.3 km, 42 %, 6.0 h, 3 leads; "unknown" when missing."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return _("unknown")
    value = float(raw)
    if feature == "distance":
        return _("%(n)s km") % {"n": _number(value)}
    if feature == "tier":
        return _("weight %(n)s") % {"n": _number(value, 2)}
    if feature in ("specialization", "performance", "deal_size"):
        return f"{_number(value * 100, 0)} %"
    if feature == "responsiveness":
        if detail is not None and not detail.get("measured", True):
            return _("%(n)s h (assumed)") % {"n": _number(value)}
        return _("%(n)s h") % {"n": _number(value)}
    if feature == "fairness":
        return _("%(n)s recent leads") % {"n": _number(value, 0)}
    return _number(value, 2)


@dataclass
class FeatureRow:
    feature: str
    label: str
    raw: str
    contribution: float
    #: Bar width in percent of the largest contribution on the table.
    bar: int = 0
    note: str = ""


@dataclass
class CandidateRow:
    rank: int
    partnership_id: int
    name: str
    score: float
    is_winner: bool
    features: list[FeatureRow] = field(default_factory=list)


@dataclass
class ExplanationView:
    considered: int
    eligible: int
    excluded: list[tuple[str, int]]
    winner: int | None
    mode: str
    weights: list[tuple[str, float]]
    top: list[CandidateRow]
    has_coordinates: bool
    size_band: str | None


def _note(feature: str, detail: Mapping[str, Any] | None) -> str:
    if not detail:
        return ""
    if feature == "specialization":
        parts = []
        if detail.get("industry"):
            parts.append(_("industry"))
        if detail.get("product"):
            parts.append(_("product"))
        return _("covers the %(what)s") % {"what": _(" and ").join(parts)} if parts else ""
    if feature == "performance":
        return _("won %(won)s of %(closed)s deals, accepted %(acc)s of %(off)s offers") % {
            "won": detail.get("deals_won", 0),
            "closed": detail.get("deals_closed", 0),
            "acc": detail.get("leads_accepted", 0),
            "off": detail.get("leads_offered", 0),
        }
    if feature == "deal_size" and detail.get("band"):
        return _("%(band)s deals: won %(won)s of %(closed)s") % {
            "band": detail["band"],
            "won": detail.get("won", 0),
            "closed": detail.get("closed", 0),
        }
    return ""


def vendor_explanation(explanation: Mapping[str, Any]) -> ExplanationView | None:
    """The whole decision for vendor staff; ``None`` for an empty or unknown explanation."""
    if not explanation or "top" not in explanation:
        return None
    top = explanation.get("top") or []
    biggest = max(
        (float(f.get("contribution") or 0) for c in top for f in c.get("features", [])),
        default=0.0,
    )
    winner = explanation.get("winner")
    rows = []
    for c in top:
        features = []
        for f in c.get("features", []):
            contribution = float(f.get("contribution") or 0)
            features.append(
                FeatureRow(
                    feature=f["feature"],
                    label=str(FEATURE_LABELS.get(f["feature"], f["feature"])),
                    raw=format_raw(f["feature"], f.get("raw"), f.get("detail")),
                    contribution=contribution,
                    bar=round(100 * contribution / biggest) if biggest > 0 else 0,
                    note=_note(f["feature"], f.get("detail")),
                )
            )
        rows.append(
            CandidateRow(
                rank=int(c.get("rank", 0)),
                partnership_id=int(c["partnership_id"]),
                name=str(c.get("name", "")),
                score=float(c.get("score") or 0),
                is_winner=winner == c["partnership_id"],
                features=features,
            )
        )
    weights = (explanation.get("settings") or {}).get("weights") or {}
    total = sum(float(w) for w in weights.values()) or 1.0
    return ExplanationView(
        considered=int(explanation.get("considered", 0)),
        eligible=int(explanation.get("eligible", 0)),
        excluded=[
            (str(FILTER_LABELS.get(x["filter"], x["filter"])), int(x["excluded"]))
            for x in explanation.get("excluded", [])
            if x.get("excluded")
        ],
        winner=winner,
        mode=str(explanation.get("mode", "")),
        weights=[
            (str(FEATURE_LABELS[name]), round(100 * float(weights.get(name, 0)) / total))
            for name in FEATURES
            if name in weights
        ],
        top=rows,
        has_coordinates=bool((explanation.get("lead") or {}).get("has_coordinates")),
        size_band=(explanation.get("lead") or {}).get("size_band"),
    )


def partner_reasons(view: Mapping[str, Any]) -> list[FeatureRow]:
    """A partner's own fit reasons (``partner_view``), strongest first, without other partners' figures."""
    rows = []
    for r in view.get("reasons") or []:
        normalised = float(r.get("normalised") or 0)
        if normalised <= 0:
            continue
        rows.append(
            FeatureRow(
                feature=r["feature"],
                label=str(FEATURE_LABELS.get(r["feature"], r["feature"])),
                raw=format_raw(r["feature"], r.get("raw"), r.get("detail")),
                contribution=normalised,
                bar=round(100 * normalised),
                note=_note(r["feature"], r.get("detail")),
            )
        )
    return rows
