"""The fourteen steps: what each one edits, why it matters, and when it is complete.

``STEPS`` drives the guided workspace, the API, the examples, publishing
snapshots and readiness, so a step's shape is written down once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kanali.core.models import Program
from kanali.designer.catalogues import CanvasKind
from kanali.designer.models import Campaign as CampaignModel
from kanali.designer.models import (
    CanvasItem,
    Capability,
    ChannelRole,
    Competitor,
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


@dataclass(frozen=True)
class Collection:
    """A list of rows a step edits (e.g. the pains of the canvas, or the tiers)."""

    key: str
    model: type[Model]
    fields: tuple[str, ...]
    label: str | Promise
    #: Values every row of this collection has (e.g. ``{"kind": "pain"}``).
    fixed: dict[str, Any] = field(default_factory=dict)
    #: Rows of another collection this one hangs off (tier requirements → tiers).
    parent: str | None = None
    #: Fields that identify a row across saves, so ids (and what points at them) survive.
    natural_key: tuple[str, ...] = ()

    def queryset(self, program: Program) -> QuerySet:
        manager = self.model.objects.for_vendor(program.vendor_id)  # type: ignore[attr-defined]
        if self.model is TierRequirement:
            return manager.filter(tier__program=program).select_related("tier").order_by("tier__rank", "pk")
        qs = manager.filter(program=program, **self.fixed)
        if self.model is CanvasItem:
            qs = qs.prefetch_related("addresses")
        return qs


@dataclass(frozen=True)
class Step:
    number: int
    key: str
    title: str | Promise
    why: str | Promise
    design_fields: tuple[str, ...] = ()
    collections: tuple[Collection, ...] = ()
    #: Publishing needs these steps complete.
    required: bool = False


def _canvas(kind: CanvasKind, label: str | Promise) -> Collection:
    return Collection(
        f"canvas_{kind.value}",
        CanvasItem,
        ("text", "rank", "addresses")
        if kind in (CanvasKind.PAIN_RELIEVER, CanvasKind.GAIN_CREATOR)
        else ("text", "rank"),
        label,
        fixed={"kind": kind.value},
        natural_key=("text",),
    )


STEPS: tuple[Step, ...] = (
    Step(
        1,
        "value_proposition",
        _("Value proposition"),
        _(
            "Partners sell what they understand. Describe the customer's jobs, pains and gains, and how your "
            "products relieve those pains and create those gains; the fit view shows what is still unaddressed."
        ),
        design_fields=("customer_segment",),
        collections=(
            _canvas(CanvasKind.JOB, _("Customer jobs")),
            _canvas(CanvasKind.PAIN, _("Pains")),
            _canvas(CanvasKind.GAIN, _("Gains")),
            _canvas(CanvasKind.PRODUCT, _("Products and services")),
            _canvas(CanvasKind.PAIN_RELIEVER, _("Pain relievers")),
            _canvas(CanvasKind.GAIN_CREATOR, _("Gain creators")),
            _canvas(CanvasKind.ALTERNATIVE, _("Alternatives the customer has")),
        ),
        required=True,
    ),
    Step(
        2,
        "sales_process",
        _("Customer-centric sales process"),
        _(
            "Map the buyer's journey, not your funnel: each stage states what the customer wants to achieve and "
            "when the stage is done. These stages become the columns of your partners' deal pipeline."
        ),
        collections=(
            Collection(
                "stages",
                PipelineStage,
                ("position", "name", "customer_goal", "exit_criteria", "activities", "led_by", "win_probability"),
                _("Stages"),
                natural_key=("name",),
            ),
        ),
        required=True,
    ),
    Step(
        3,
        "competitors",
        _("Competitor benchmark"),
        _(
            "Know what partners are offered elsewhere. Compare competitors' partner programs on the same "
            "dimensions so yours is clearly the better deal for the partners you want."
        ),
        collections=(
            Collection(
                "competitors", Competitor, ("name", *Competitor.DIMENSIONS), _("Competitors"), natural_key=("name",)
            ),
        ),
    ),
    Step(
        4,
        "partner_types",
        _("Partner types"),
        _(
            "Different partners sell differently. Choose the types that reach your customers and say why each "
            "fits; applications and partnerships use these types."
        ),
        collections=(
            Collection(
                "partner_types",
                ProgramPartnerType,
                ("key", "name", "definition", "reason"),
                _("Types"),
                natural_key=("key",),
            ),
        ),
        required=True,
    ),
    Step(
        5,
        "success_factors",
        _("Success factors"),
        _(
            "Name the few things that decide whether a partner succeeds with you, rank them, and plan how the "
            "program makes each one happen."
        ),
        collections=(
            Collection(
                "success_factors",
                SuccessFactor,
                ("key", "name", "rank", "plan"),
                _("Success factors"),
                natural_key=("name",),
            ),
        ),
    ),
    Step(
        6,
        "motivators",
        _("Motivators"),
        _(
            "What will make partners act on those success factors? Money is one answer; happy customers, "
            "training, sales tools, leads and certifications are others."
        ),
        collections=(
            Collection(
                "motivators", Motivator, ("kind", "name", "delivery"), _("Motivators"), natural_key=("kind", "name")
            ),
        ),
    ),
    Step(
        7,
        "program_elements",
        _("Program elements"),
        _("Switch on the platforms that deliver your motivators. Partners see only the modules you switch on here."),
        design_fields=("training_enabled", "forum_enabled", "leads_enabled", "support_enabled"),
    ),
    Step(
        8,
        "responsibilities",
        _("Responsibilities and expectations"),
        _(
            "Unclear ownership is one of the most common reasons channel programs fail. Assign every activity to "
            "you, the partner or both (and who leads), and state what each side can expect."
        ),
        design_fields=("partner_expectations", "vendor_expectations"),
        collections=(
            Collection(
                "responsibilities",
                Responsibility,
                ("position", "activity", "assignee", "lead", "expectation"),
                _("Activities"),
                natural_key=("activity",),
            ),
        ),
        required=True,
    ),
    Step(
        9,
        "framework",
        _("Framework"),
        _(
            "Small programs do best without tiers: describe the ideal partner and how you measure performance. "
            "Larger ones define tiers whose requirements are checked against live data."
        ),
        design_fields=("framework", "ideal_partner", "performance_measures"),
        collections=(
            Collection(
                "tiers",
                Tier,
                (
                    "rank",
                    "name",
                    "description",
                    "commission_bonus_pct",
                    "fund_accrual_pct",
                    "lead_priority_weight",
                    "discount_pct",
                    "other_benefits",
                ),
                _("Tiers"),
                natural_key=("name",),
            ),
            Collection(
                "tier_requirements",
                TierRequirement,
                ("tier", "metric", "threshold"),
                _("Requirements"),
                parent="tiers",
                natural_key=("tier", "metric"),
            ),
        ),
        required=True,
    ),
    Step(
        10,
        "capabilities",
        _("Internal capabilities"),
        _(
            "A program is only as good as what stands behind it: documents, marketing material and systems, "
            "each with an owner and a due date."
        ),
        collections=(
            Collection(
                "capabilities",
                Capability,
                ("area", "title", "owner", "due_date", "status", "asset_url"),
                _("To-do list"),
                natural_key=("title",),
            ),
        ),
    ),
    Step(
        11,
        "kpis",
        _("KPIs"),
        _(
            "Decide how you will know the program works. Each KPI ties to a success factor and has a target; "
            "Kanali computes them from live data."
        ),
        collections=(
            Collection(
                "kpis", ProgramKpi, ("key", "success_factor", "target", "period"), _("KPIs"), natural_key=("key",)
            ),
        ),
    ),
    Step(
        12,
        "marketing",
        _("Marketing strategy"),
        _(
            "Plan how partners will be found and how they will market with you, using SOSTAC: situation, "
            "objectives, strategy, tactics, action, control."
        ),
        design_fields=(
            "target_audience",
            "sostac_situation",
            "sostac_objectives",
            "sostac_strategy",
            "sostac_tactics",
            "sostac_action",
            "sostac_control",
            "race_notes",
            "five_s_notes",
            "seven_p_notes",
        ),
        collections=(
            Collection("campaigns", CampaignModel, ("code", "name"), _("Campaign codes"), natural_key=("code",)),
        ),
    ),
    Step(
        13,
        "selection",
        _("Partner selection"),
        _(
            "The wrong partners cost more than no partners. Describe the ideal partner, weight the criteria "
            "applications are scored on, and set a recruitment target."
        ),
        design_fields=("ideal_partner_profile", "target_regions", "recruitment_target", "recruitment_deadline"),
        collections=(
            Collection(
                "criteria",
                SelectionCriterion,
                ("name", "weight", "data_source", "guide"),
                _("Selection criteria"),
                natural_key=("name",),
            ),
        ),
        required=True,
    ),
    Step(
        14,
        "organization",
        _("Partner organization"),
        _(
            "Partners need people, not a mailbox. Name who leads the channel, who manages partner accounts, "
            "marketing, enablement and support; they are the ones Kanali notifies."
        ),
        design_fields=("partner_council",),
        collections=(
            Collection(
                "channel_team", ChannelRole, ("role", "member"), _("Channel team"), natural_key=("role", "member")
            ),
        ),
    ),
)

STEPS_BY_KEY: dict[str, Step] = {step.key: step for step in STEPS}
COLLECTIONS: dict[str, Collection] = {c.key: c for step in STEPS for c in step.collections}


def get_step(key: str) -> Step | None:
    return STEPS_BY_KEY.get(key)
