"""The routing simulator: replay leads under draft settings next to the current ones, writing nothing.

The pure part (:func:`simulate`, :func:`gini`, :func:`compare`) works on the
engine's own types: a list of :class:`PartnerFeatures` and a list of
:class:`LeadToRoute`. Each run builds its own :class:`CandidatePool` from
those records, so the program's cached pool is never touched, and counts
capacity and fairness as it fills: a partner that wins a lead has one more
open lead (and one more recent lead) for the next decision, and becomes the
most recently offered for the tie rule, as it would in production.

Suggest mode is simulated as if the person picked the top suggestion (the
engine returns no winner in that mode); automatic and sequential modes offer
to the top candidate first, so one replay serves all three.

The database part (:func:`replay_program`) reads the program's pool records
and its last leads through the leads app's pool builder; it issues reads
only (it does not even create the program's settings row). Stored leads are
replayed onto partners with no open or recent leads (those leads are already
in today's counts); the leads of an uploaded file arrive on top of today's load.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from kanali.core.models import Program
from kanali.leads import pool as pools
from kanali.leads import selectors
from kanali.leads.models import Lead, LeadSettings
from kanali.leads.routing import CandidatePool, LeadToRoute, Mode, PartnerFeatures, RoutingSettings

#: The simulated clock starts here and moves one minute per lead, so the tie rule sees a fresh offer as the latest.
_EPOCH = datetime(2100, 1, 1, tzinfo=UTC)
#: Most leads one replay takes (the page's "last N").
MAX_LEADS = 2000


def gini(values: Iterable[float]) -> float:
    """Gini coefficient of a distribution (0 = everyone got the same, → 1 = one got everything).

    Uses the sorted form ``(2 Σ i·x_i) / (n Σ x) − (n + 1) / n`` with ``i``
    counted from 1. An empty list or an all-zero one is perfectly equal (0).
    """
    xs = sorted(float(v) for v in values)
    n = len(xs)
    total = sum(xs)
    if n == 0 or total <= 0:
        return 0.0
    if any(v < 0 for v in xs):
        raise ValueError("gini needs non-negative values")
    weighted = sum(i * x for i, x in enumerate(xs, start=1))
    return max(0.0, (2.0 * weighted) / (n * total) - (n + 1) / n)


@dataclass(frozen=True)
class PartnerCount:
    partnership_id: int
    name: str
    leads: int


@dataclass(frozen=True)
class SimulationResult:
    """What one set of settings did to the replayed leads."""

    leads: int
    assigned: int
    #: Leads per candidate partnership (every active candidate, those with none too), most first.
    per_partner: tuple[PartnerCount, ...]
    gini: float
    unassigned_share: float
    #: Mean km from each winner's nearest office to its lead; ``None`` when no winner's distance is known.
    average_distance_km: float | None
    #: Mean of the winners' smoothed win rates (the engine's Beta-smoothed figure); ``None`` with no winner.
    expected_win_rate: float | None
    #: The winner of each lead, in order (``None`` for unassigned).
    winners: tuple[int | None, ...] = field(repr=False, default=())

    @property
    def unassigned(self) -> int:
        return self.leads - self.assigned

    def count_for(self, partnership_id: int) -> int:
        return next((p.leads for p in self.per_partner if p.partnership_id == partnership_id), 0)


def _winner_facts(explanation: Mapping[str, Any], winner: int) -> tuple[float | None, float | None]:
    """The winner's distance (km) and smoothed win rate, read from the decision's explanation."""
    own = next((c for c in explanation.get("top", []) if c["partnership_id"] == winner), None)
    if own is None:
        return None, None
    distance: float | None = None
    win_rate: float | None = None
    for f in own["features"]:
        if f["feature"] == "distance" and f["raw"] is not None and not math.isnan(f["raw"]):
            distance = float(f["raw"])
        elif f["feature"] == "performance":
            rate = f.get("detail", {}).get("win_rate")
            win_rate = None if rate is None else float(rate)
    return distance, win_rate


def simulate(
    records: Sequence[PartnerFeatures], leads: Sequence[LeadToRoute], settings: RoutingSettings
) -> SimulationResult:
    """Route ``leads`` one after another under ``settings`` on a private pool built from ``records``."""
    if settings.mode is Mode.SUGGEST:
        settings = replace(settings, mode=Mode.AUTO)
    if settings.top_n < 1:
        settings = replace(settings, top_n=1)
    state = {r.partnership_id: r for r in records}
    pool = CandidatePool(state.values())
    counts = {pid: 0 for pid, r in state.items() if r.active}
    winners: list[int | None] = []
    distances: list[float] = []
    win_rates: list[float] = []
    for n, lead in enumerate(leads):
        decision = pool.decide(lead, settings)
        winner = decision.winner
        winners.append(winner)
        if winner is None:
            continue
        counts[winner] = counts.get(winner, 0) + 1
        distance, win_rate = _winner_facts(decision.explanation, winner)
        if distance is not None:
            distances.append(distance)
        if win_rate is not None:
            win_rates.append(win_rate)
        rec = state[winner]
        rec = replace(
            rec,
            open_leads=rec.open_leads + 1,
            recent_leads=rec.recent_leads + 1,
            last_offered_at=_EPOCH + timedelta(minutes=n),
        )
        state[winner] = rec
        pool.refresh(rec)
    total = len(leads)
    assigned = sum(1 for w in winners if w is not None)
    per_partner = tuple(
        sorted(
            (PartnerCount(pid, state[pid].name, c) for pid, c in counts.items()),
            key=lambda p: (-p.leads, p.name, p.partnership_id),
        )
    )
    return SimulationResult(
        leads=total,
        assigned=assigned,
        per_partner=per_partner,
        gini=round(gini(counts.values()), 4),
        unassigned_share=round((total - assigned) / total, 4) if total else 0.0,
        average_distance_km=round(sum(distances) / len(distances), 1) if distances else None,
        expected_win_rate=round(sum(win_rates) / len(win_rates), 4) if win_rates else None,
        winners=tuple(winners),
    )


@dataclass(frozen=True)
class ComparisonRow:
    partnership_id: int
    name: str
    current: int
    draft: int

    @property
    def change(self) -> int:
        return self.draft - self.current


@dataclass(frozen=True)
class Comparison:
    current: SimulationResult
    draft: SimulationResult
    rows: tuple[ComparisonRow, ...]
    #: Leads whose winner differs between the two runs.
    changed: int


def compare(
    records: Sequence[PartnerFeatures],
    leads: Sequence[LeadToRoute],
    current: RoutingSettings,
    draft: RoutingSettings,
    draft_leads: Sequence[LeadToRoute] | None = None,
) -> Comparison:
    """Both runs on the same records and leads, with a per-partner table side by side.

    ``draft_leads`` are the same leads as the draft sees them, when the draft
    changes a lead-side rule (which partner types may take leads).
    """
    if draft_leads is not None and len(draft_leads) != len(leads):
        raise ValueError("the draft must replay the same leads")
    now = simulate(records, leads, current)
    then = simulate(records, leads if draft_leads is None else draft_leads, draft)
    names = {p.partnership_id: p.name for p in (*now.per_partner, *then.per_partner)}
    rows = tuple(
        sorted(
            (ComparisonRow(pid, name, now.count_for(pid), then.count_for(pid)) for pid, name in names.items()),
            key=lambda r: (-max(r.current, r.draft), r.name, r.partnership_id),
        )
    )
    changed = sum(1 for a, b in zip(now.winners, then.winners, strict=True) if a != b)
    return Comparison(current=now, draft=then, rows=rows, changed=changed)


# --- From the database (reads only) ---------------------------------------------------------------


@dataclass(frozen=True)
class Replay:
    """A comparison and what it replayed."""

    comparison: Comparison
    source: str
    #: Rows of an uploaded file that could not be read as leads (row number → messages).
    skipped: tuple[tuple[int, str], ...] = ()


def stored_settings(program: Program) -> LeadSettings:
    """The program's saved lead settings, or unsaved defaults: the simulator never creates the row."""
    found = LeadSettings.objects.for_vendor(program.vendor_id).filter(program=program).first()
    return found or LeadSettings(vendor_id=program.vendor_id, program=program)


def _route_inputs(program: Program, ls: LeadSettings) -> dict[str, Any]:
    types = [t for t in (ls.partner_types or []) if t]
    return {"partner_types": types or None, "required_certifications": pools.required_certifications(program)}


def recent_leads(program: Program, n: int) -> list[Lead]:
    """The program's last ``n`` leads, oldest first (the order they came in)."""
    n = max(1, min(int(n), MAX_LEADS))
    rows = list(Lead.objects.for_vendor(program.vendor_id).filter(program=program).order_by("-created_at", "-pk")[:n])
    rows.reverse()
    return rows


def file_leads(program: Program, content: bytes, filename: str) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """The rows of an uploaded lead file, cleaned as an import would clean them, and the rows that failed.

    Reads the columns with the intake's presets (the Kanali template, or a
    Salesforce / HubSpot export); raises ``ValidationError`` when the file
    itself cannot be read. Nothing is stored.
    """
    from kanali.leads.importing import read_table, resolve_mapping, row_values
    from kanali.leads.services_intake import clean_lead

    headings, rows = read_table(content, filename)
    _preset, mapping = resolve_mapping(headings)
    cleaned: list[dict[str, Any]] = []
    skipped: list[tuple[int, str]] = []
    for number, row in enumerate(rows[:MAX_LEADS], start=2):
        values, errors = clean_lead(row_values(headings, row, mapping), program=program)
        if errors:
            skipped.append((number, "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())))
        else:
            cleaned.append(values)
    return cleaned, skipped


def _from_cleaned(row: Mapping[str, Any], inputs: Mapping[str, Any]) -> LeadToRoute:
    lead = Lead(
        country=row.get("country") or "",
        region=row.get("region") or "",
        latitude=row.get("latitude"),
        longitude=row.get("longitude"),
        industry=row.get("industry") or "",
        product=row.get("product") or "",
        estimated_value=row.get("estimated_value"),
        language=row.get("language") or "",
    )
    return pools.lead_to_route(lead, **inputs)


def replay_program(
    program: Program,
    draft: LeadSettings,
    *,
    last_n: int = 200,
    rows: Sequence[Mapping[str, Any]] | None = None,
    skipped: Sequence[tuple[int, str]] = (),
) -> Replay:
    """Replay the program's last ``last_n`` leads (or the cleaned ``rows`` of a file) under its current
    settings and under ``draft`` (an unsaved :class:`LeadSettings`), side by side. Reads only."""
    current = stored_settings(program)
    with pools.lock_for(program.pk):
        records = list(pools.get_pool(program))
    if rows is None:
        # The stored leads are already in today's open and recent counts: replay them onto empty hands.
        records = [replace(r, open_leads=0, recent_leads=0) for r in records]
    now_inputs, draft_inputs = _route_inputs(program, current), _route_inputs(program, draft)
    if rows is None:
        leads = recent_leads(program, last_n)
        now_leads = [pools.lead_to_route(lead, **now_inputs) for lead in leads]
        draft_leads = [pools.lead_to_route(lead, **draft_inputs) for lead in leads]
        source = "leads"
    else:
        now_leads = [_from_cleaned(row, now_inputs) for row in rows]
        draft_leads = [_from_cleaned(row, draft_inputs) for row in rows]
        source = "file"
    comparison = compare(
        records, now_leads, selectors.settings_from(current), selectors.settings_from(draft), draft_leads
    )
    return Replay(comparison=comparison, source=source, skipped=tuple(skipped))
