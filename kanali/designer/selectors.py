"""Reads of a program's design.

Console pages pass the acting workspace to :func:`get_program`; the running
program (pipeline, applications, tiers, routing, KPIs) reads the design of a
program it already holds through the ``program_*`` functions, each scoped by
that program's vendor.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet

from kanali.core.models import Program
from kanali.core.selectors import get_program as core_get_program
from kanali.core.workspace import Workspace
from kanali.designer.catalogues import ProgramElement
from kanali.designer.models import (
    CanvasItem,
    Capability,
    ChannelRole,
    Competitor,
    Design,
    DesignVersion,
    Motivator,
    PipelineStage,
    ProgramKpi,
    ProgramPartnerType,
    Responsibility,
    SelectionCriterion,
    SuccessFactor,
    Tier,
    TierRequirement,
)


def get_program(workspace: Workspace, program_id: int) -> Program:
    return core_get_program(workspace, program_id)


def get_design(program: Program) -> Design:
    """The program's design row; an unsaved blank one when nothing was designed yet."""
    design = Design.objects.for_vendor(program.vendor_id).filter(program=program).first()
    return design or Design(vendor_id=program.vendor_id, program=program)


def _items(model: type, program: Program) -> QuerySet:
    return model.objects.for_vendor(program.vendor_id).filter(program=program)  # type: ignore[attr-defined,no-any-return]


def canvas_items(program: Program) -> QuerySet[CanvasItem]:
    return _items(CanvasItem, program).prefetch_related("addresses")


def pipeline_stages(program: Program) -> QuerySet[PipelineStage]:
    """The deal pipeline's stages, in order (design step 2)."""
    return _items(PipelineStage, program).order_by("position", "pk")


def competitors(program: Program) -> QuerySet[Competitor]:
    return _items(Competitor, program)


def partner_types(program: Program) -> QuerySet[ProgramPartnerType]:
    """The partner types used on applications and partnerships (design step 4)."""
    return _items(ProgramPartnerType, program)


def success_factors(program: Program) -> QuerySet[SuccessFactor]:
    return _items(SuccessFactor, program).order_by("rank", "pk")


def motivators(program: Program) -> QuerySet[Motivator]:
    return _items(Motivator, program)


def enabled_elements(program: Program) -> set[str]:
    """Modules switched on for partners (design step 7)."""
    design = get_design(program)
    return {element.value for element in ProgramElement if design.element_enabled(element.value)}


def responsibilities(program: Program) -> QuerySet[Responsibility]:
    return _items(Responsibility, program).order_by("position", "pk")


def tiers(program: Program) -> QuerySet[Tier]:
    """Tiers from entry upwards, with their requirements prefetched (design step 9)."""
    requirements = TierRequirement.objects.for_vendor(program.vendor_id).order_by("pk")
    return _items(Tier, program).order_by("rank", "pk").prefetch_related(Prefetch("requirements", requirements))


def tier_requirements(program: Program) -> QuerySet[TierRequirement]:
    return (
        TierRequirement.objects.for_vendor(program.vendor_id)
        .filter(tier__program=program)
        .select_related("tier")
        .order_by("tier__rank", "pk")
    )


def capabilities(program: Program) -> QuerySet[Capability]:
    return _items(Capability, program).select_related("owner__user")


def kpis(program: Program) -> QuerySet[ProgramKpi]:
    """KPI definitions the analytics app computes (design step 11)."""
    return _items(ProgramKpi, program).select_related("success_factor")


def selection_criteria(program: Program) -> QuerySet[SelectionCriterion]:
    """Weighted criteria applications are scored against (design step 13)."""
    return _items(SelectionCriterion, program)


def normalized_weights(criteria: list[SelectionCriterion]) -> dict[int, Decimal]:
    """Each criterion's share of the total weight, summing to 1 (shown beside the raw weights)."""
    total = sum(c.weight for c in criteria)
    if not total:
        return {c.pk: Decimal(0) for c in criteria}
    return {c.pk: (Decimal(c.weight) / total).quantize(Decimal("0.0001"), ROUND_HALF_UP) for c in criteria}


def channel_team(program: Program) -> QuerySet[ChannelRole]:
    """Who owns and is notified about what (design step 14)."""
    return _items(ChannelRole, program).select_related("member__user")


def versions(program: Program) -> QuerySet[DesignVersion]:
    return _items(DesignVersion, program).select_related("published_by").order_by("-number")


def published_version(program: Program) -> DesignVersion | None:
    return _items(DesignVersion, program).order_by("-number").first()
