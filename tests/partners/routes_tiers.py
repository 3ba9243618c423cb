"""Isolation-matrix routes of the tiers engine, and the builders its tests share.

``tiered_program`` turns a vendor's program into a Bronze/Silver/Gold program
whose requirements use a test metric (``test_score``) that tests register and
set per partnership with :class:`FakeMetric`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

from kanali.core.models import Partnership, Program
from kanali.designer import metrics
from kanali.designer.models import Tier
from kanali.designer.services import design_update
from tests.conftest import VendorActors, workspace_for
from tests.designer.routes_publishing import replace as replace_items
from tests.isolation import Route

SCORE = "test_score"
#: Bronze is the entry tier (no requirement); Silver needs 10 points, Gold 20.
LADDER = (("Bronze", None), ("Silver", "10"), ("Gold", "20"))


class FakeMetric:
    """A metric function whose value per partnership the test sets; it never queries."""

    def __init__(self, key: str = SCORE) -> None:
        self.key = key
        self.values: dict[int, Decimal] = {}
        metrics.register(key, self, label="Test score", unit="count")

    def set(self, partnership: Partnership, value: int | str) -> None:
        self.values[partnership.pk] = Decimal(value)

    def __call__(self, partnership: Partnership, start: Any, end: Any) -> Decimal:
        return self.values.get(partnership.pk, Decimal(0))


def saved_registry() -> Iterator[None]:
    """Put the metric registry back as it was (tests register fake metrics)."""
    saved = {key: replace(metric) for key, metric in metrics._REGISTRY.items()}
    yield
    metrics._REGISTRY.clear()
    metrics._REGISTRY.update(saved)


def tiered_program(
    a: VendorActors,
    program: Program | None = None,
    requirements: list[dict[str, Any]] | None = None,
    metric: str = SCORE,
) -> Program:
    """Design ``program`` (A's default one) with the tiers framework and the Bronze/Silver/Gold ladder.

    ``metric`` must be declared: register a :class:`FakeMetric` first (under the ``saved_registry`` fixture).
    """
    program = program or a.program
    ws = workspace_for(a.owner, a.vendor)
    design_update(workspace=ws, program=program, values={"framework": "tiers"})
    replace_items(
        ws,
        program,
        "tiers",
        [
            {"rank": rank, "name": name, "discount_pct": str(10 * rank), "other_benefits": f"{name} perks"}
            for rank, (name, _threshold) in enumerate(LADDER, 1)
        ],
    )
    if requirements is None:
        requirements = [
            {"tier": name, "metric": metric, "threshold": threshold} for name, threshold in LADDER if threshold
        ]
    replace_items(ws, program, "tier_requirements", requirements)
    return program


def tier(program: Program, name: str) -> Tier:
    return Tier.objects.for_vendor(program.vendor_id).get(program=program, name=name)


def _tiered(a: VendorActors) -> dict[str, Any]:
    # A declared metric nothing computes yet, so the matrix leaves the registry alone.
    return {"program_id": tiered_program(a, metric="certified_people").pk}


def _partnership(a: VendorActors) -> dict[str, Any]:
    tiered_program(a, metric="certified_people")
    return {"partnership_id": a.partners[0].partnership.pk}


PAGE_ROUTES: dict[str, Route] = {
    "partners:tiers_program": Route("vendor", _tiered),
    "partners:tiers_evaluate": Route("vendor", _tiered, "post"),
    "partners:tiers_settings": Route("vendor", _tiered, "post"),
    "partners:tiers_history": Route("vendor", _partnership),
}

API_ROUTES: dict[str, Route] = {
    "/api/v1/partnerships/{partnership_id}/tier": Route("vendor", _partnership),
    "/api/v1/partnerships/{partnership_id}/tier-history": Route("vendor", _partnership),
    "/api/v1/programs/{program_id}/tiers/simulate": Route(
        "vendor", _tiered, "post", partner_visible=False, body={"requirements": []}
    ),
    "/api/v1/programs/{program_id}/tiers/evaluate": Route("vendor", _tiered, "post", partner_visible=False),
}
