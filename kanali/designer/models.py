"""The fourteen design steps as structured data.

Every row belongs to one program of one vendor. These tables are the working
design; what runs (pipeline stages, partner types, tiers, selection criteria,
KPI definitions, program elements) is read from them through selectors, and
publishing freezes a numbered snapshot that partners and the public see.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kanali.core.models import Membership, Program
from kanali.core.tenancy import TenantModel
from kanali.designer import metrics
from kanali.designer.catalogues import (
    CanvasKind,
    CapabilityArea,
    ChannelRoleKind,
    KpiKey,
    KpiPeriod,
    MotivatorKind,
    SelectionData,
    Side,
)

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class ProgramItem(TenantModel):
    """A row of one step of one program's design."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Design(TenantModel):
    """The single-valued answers of the steps, one row per program."""

    class Framework(models.TextChoices):
        NO_TIERS = "no_tiers", _("No tiers: ideal partner and performance measures")
        TIERS = "tiers", _("Tiers with requirements and benefits")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    # 1 value proposition
    customer_segment = models.TextField(_("customer segment"), blank=True)
    # 7 program elements
    training_enabled = models.BooleanField(_("training platform"), default=False)
    forum_enabled = models.BooleanField(_("developer forum"), default=False)
    leads_enabled = models.BooleanField(_("lead distribution platform"), default=False)
    support_enabled = models.BooleanField(_("support platform"), default=False)
    # 8 responsibilities
    partner_expectations = models.TextField(_("what partners can expect from us"), blank=True)
    vendor_expectations = models.TextField(_("what we expect from partners"), blank=True)
    # 9 framework
    framework = models.CharField(_("framework"), max_length=20, choices=Framework.choices, default=Framework.NO_TIERS)
    ideal_partner = models.TextField(_("ideal partner"), blank=True)
    performance_measures = models.TextField(_("how performance is measured"), blank=True)
    # 12 marketing strategy (SOSTAC, plus optional frameworks)
    sostac_situation = models.TextField(_("situation"), blank=True)
    sostac_objectives = models.TextField(_("objectives"), blank=True)
    sostac_strategy = models.TextField(_("strategy"), blank=True)
    sostac_tactics = models.TextField(_("tactics"), blank=True)
    sostac_action = models.TextField(_("action"), blank=True)
    sostac_control = models.TextField(_("control"), blank=True)
    target_audience = models.TextField(_("target audience"), blank=True)
    race_notes = models.TextField(_("RACE notes"), blank=True)
    five_s_notes = models.TextField(_("5S notes"), blank=True)
    seven_p_notes = models.TextField(_("7P notes"), blank=True)
    # 13 partner selection
    ideal_partner_profile = models.TextField(_("ideal partner profile"), blank=True)
    target_regions = models.JSONField(_("target regions"), default=list, blank=True)
    recruitment_target = models.PositiveIntegerField(_("recruitment target"), null=True, blank=True)
    recruitment_deadline = models.DateField(_("recruit by"), null=True, blank=True)
    # 14 partner organization
    partner_council = models.BooleanField(_("we run a partner advisory council"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vendor", "program"], name="design_one_per_program")]
        verbose_name = _("program design")
        verbose_name_plural = _("program designs")

    def __str__(self) -> str:
        return f"Design of {self.program}"

    def element_enabled(self, element: str) -> bool:
        return bool(getattr(self, f"{element}_enabled"))


class CanvasItem(ProgramItem):
    """Step 1: one entry of the value proposition canvas."""

    kind = models.CharField(_("kind"), max_length=20, choices=CanvasKind.choices)
    text = models.CharField(_("text"), max_length=300)
    rank = models.PositiveSmallIntegerField(_("rank"), default=1)
    addresses = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="addressed_by", verbose_name=_("addresses")
    )

    class Meta:
        ordering = ["kind", "rank", "pk"]
        indexes = [models.Index(fields=["vendor", "program", "kind"], name="canvas_vendor_program_kind")]
        verbose_name = _("canvas item")
        verbose_name_plural = _("canvas items")

    def __str__(self) -> str:
        return self.text


class PipelineStage(ProgramItem):
    """Step 2: a stage of the customer-centric sales process; the deal pipeline's columns."""

    position = models.PositiveSmallIntegerField(_("position"), default=1)
    name = models.CharField(_("stage"), max_length=100)
    customer_goal = models.CharField(_("customer's goal"), max_length=300, blank=True)
    exit_criteria = models.CharField(_("exit criteria"), max_length=300, blank=True)
    activities = models.TextField(_("activities"), blank=True)
    led_by = models.CharField(_("led by"), max_length=10, choices=Side.choices, default=Side.PARTNER)
    win_probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=10, validators=[MaxValueValidator(100)]
    )

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["vendor", "program", "position"], name="stage_vendor_program_pos")]
        verbose_name = _("pipeline stage")
        verbose_name_plural = _("pipeline stages")

    def __str__(self) -> str:
        return self.name


class Competitor(ProgramItem):
    """Step 3: a competitor's partner program on fixed dimensions."""

    name = models.CharField(_("competitor"), max_length=150)
    audience = models.TextField(_("audience"), blank=True)
    structure = models.TextField(_("program structure"), blank=True)
    customer_benefits = models.TextField(_("benefits to customers"), blank=True)
    partner_relationship = models.TextField(_("relationship with partners"), blank=True)
    performance = models.TextField(_("how well it performs"), blank=True)
    channel_structure = models.TextField(_("channel structure"), blank=True)

    DIMENSIONS = (
        "audience",
        "structure",
        "customer_benefits",
        "partner_relationship",
        "performance",
        "channel_structure",
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")

    def __str__(self) -> str:
        return self.name


class ProgramPartnerType(ProgramItem):
    """Step 4: a partner type the program seeks; used on applications and partnerships."""

    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=100)
    definition = models.TextField(_("definition"), blank=True)
    reason = models.TextField(_("why it fits"), blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "program", "key"], name="partnertype_unique_key"),
        ]
        verbose_name = _("partner type")
        verbose_name_plural = _("partner types")

    def __str__(self) -> str:
        return self.name


class SuccessFactor(ProgramItem):
    """Step 5: a ranked success factor with the plan to meet it."""

    key = models.CharField(_("factor"), max_length=40, default="custom")
    name = models.CharField(_("name"), max_length=150)
    rank = models.PositiveSmallIntegerField(_("rank"), default=1)
    plan = models.TextField(_("plan"), blank=True)

    class Meta:
        ordering = ["rank", "pk"]
        verbose_name = _("success factor")
        verbose_name_plural = _("success factors")

    def __str__(self) -> str:
        return self.name


class Motivator(ProgramItem):
    """Step 6: what moves partners to act, and how the program delivers it."""

    kind = models.CharField(_("motivator"), max_length=20, choices=MotivatorKind.choices)
    name = models.CharField(_("name"), max_length=150, blank=True)
    delivery = models.TextField(_("how we deliver it"), blank=True)

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("motivator")
        verbose_name_plural = _("motivators")

    def __str__(self) -> str:
        return self.name or str(self.get_kind_display())


class Responsibility(ProgramItem):
    """Step 8: an activity and who owns it; shown in the portal and attached to agreements."""

    position = models.PositiveSmallIntegerField(_("position"), default=1)
    key = models.CharField(max_length=40, blank=True)
    activity = models.CharField(_("activity"), max_length=200)
    assignee = models.CharField(_("responsible"), max_length=10, choices=Side.choices, default=Side.PARTNER)
    lead = models.CharField(
        _("who leads"),
        max_length=10,
        choices=[(Side.VENDOR, Side.VENDOR.label), (Side.PARTNER, Side.PARTNER.label)],
        blank=True,
        help_text=_("Needed when both sides share the activity."),
    )
    expectation = models.TextField(_("expectation"), blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")

    def __str__(self) -> str:
        return self.activity

    def clean(self) -> None:
        if self.assignee != Side.BOTH:
            self.lead = ""


class Tier(ProgramItem):
    """Step 9: a tier with its benefits; requirements are :class:`TierRequirement` rows."""

    rank = models.PositiveSmallIntegerField(_("rank"), default=1, help_text=_("1 is the entry tier."))
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    commission_bonus_pct = models.DecimalField(
        _("commission bonus (%)"), max_digits=5, decimal_places=2, default=Decimal(0), validators=PERCENT
    )
    fund_accrual_pct = models.DecimalField(
        _("co-op fund accrual (%)"), max_digits=5, decimal_places=2, default=Decimal(0), validators=PERCENT
    )
    lead_priority_weight = models.DecimalField(
        _("lead priority weight"),
        max_digits=4,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10))],
    )
    discount_pct = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=Decimal(0), validators=PERCENT
    )
    other_benefits = models.TextField(_("other benefits"), blank=True)

    class Meta:
        ordering = ["rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "program", "name"], name="tier_unique_name"),
        ]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")

    def __str__(self) -> str:
        return self.name


class TierRequirement(TenantModel):
    """A threshold on a named metric that a partnership must reach for a tier."""

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("tier"))
    metric = models.CharField(_("metric"), max_length=60)
    threshold = models.DecimalField(_("at least"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "tier", "metric"], name="tierrequirement_unique_metric"),
        ]
        verbose_name = _("tier requirement")
        verbose_name_plural = _("tier requirements")

    def __str__(self) -> str:
        return f"{self.metric} ≥ {self.threshold}"

    def clean(self) -> None:
        if metrics.get(self.metric) is None:
            raise ValidationError({"metric": _("Unknown metric “%(metric)s”.") % {"metric": self.metric}})

    @property
    def metric_label(self) -> str:
        metric = metrics.get(self.metric)
        return str(metric.label) if metric else self.metric


class Capability(ProgramItem):
    """Step 10: an internal to-do item with an owner, a due date and a link to the real asset."""

    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    key = models.CharField(max_length=40, blank=True)
    area = models.CharField(_("area"), max_length=20, choices=CapabilityArea.choices, default=CapabilityArea.PROGRAM)
    title = models.CharField(_("item"), max_length=200)
    owner = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.TODO)
    asset_url = models.URLField(_("link to the asset"), blank=True)

    class Meta:
        ordering = ["area", "due_date", "pk"]
        verbose_name = _("internal capability")
        verbose_name_plural = _("internal capabilities")

    def __str__(self) -> str:
        return self.title


class ProgramKpi(ProgramItem):
    """Step 11: a KPI definition the analytics app computes, with a target per period."""

    key = models.CharField(_("KPI"), max_length=40, choices=KpiKey.choices)
    success_factor = models.ForeignKey(
        SuccessFactor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kpis",
        verbose_name=_("success factor"),
    )
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True, blank=True)
    period = models.CharField(_("period"), max_length=10, choices=KpiPeriod.choices, default=KpiPeriod.QUARTER)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "program", "key"], name="programkpi_unique_key"),
        ]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def __str__(self) -> str:
        return str(self.get_key_display())


class Campaign(ProgramItem):
    """Step 12: a campaign code partners quote on fund requests for attribution."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("campaign"), max_length=150)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "program", "code"], name="campaign_unique_code"),
        ]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class SelectionCriterion(ProgramItem):
    """Step 13: a weighted criterion applications are scored against (1–5)."""

    name = models.CharField(_("criterion"), max_length=150)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1, validators=[MaxValueValidator(100)])
    data_source = models.CharField(
        _("pre-score from"), max_length=30, choices=SelectionData.choices, blank=True, default=SelectionData.NONE
    )
    guide = models.TextField(_("scoring guide (1–5)"), blank=True)

    class Meta:
        ordering = ["-weight", "pk"]
        verbose_name = _("selection criterion")
        verbose_name_plural = _("selection criteria")

    def __str__(self) -> str:
        return self.name


class ChannelRole(ProgramItem):
    """Step 14: a person of the vendor's staff in a channel-team role; they are notified."""

    role = models.CharField(_("role"), max_length=40, choices=ChannelRoleKind.choices)
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))

    class Meta:
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "program", "role", "member"], name="channelrole_unique"),
        ]
        verbose_name = _("channel team role")
        verbose_name_plural = _("channel team")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.member.user}"


class DesignVersion(ProgramItem):
    """A published, frozen design: what partners and the public see until the next publish."""

    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField()
    change_note = models.TextField(_("what changed"), blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "program", "number"], name="designversion_unique_number"),
        ]
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")

    def __str__(self) -> str:
        return f"{self.program} v{self.number}"
