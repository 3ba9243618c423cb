"""The tiers engine's data: each partnership's assigned tier, its history, the program's grace period, daily runs.

The tiers themselves (names, ranks, requirements, benefits) are the program's
design (``kanali.designer.models.Tier``); these rows say where each
partnership stands on that ladder and how it got there.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanali.core.models import Partnership, Program
from kanali.core.tenancy import TenantModel

__all__ = ["TierAssignment", "TierChange", "TierRun", "TierSettings"]

#: The demotion grace period when a program has not chosen one (issue 4).
DEFAULT_GRACE_DAYS = 90


class TierSettings(TenantModel):
    """A program's settings for the tiers engine."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    grace_days = models.PositiveSmallIntegerField(
        _("demotion grace period (days)"),
        default=DEFAULT_GRACE_DAYS,
        validators=[MaxValueValidator(730)],
        help_text=_("A partner that stops meeting its tier keeps it this long before it moves down."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vendor", "program"], name="tiersettings_one_per_program")]
        verbose_name = _("tier settings")
        verbose_name_plural = _("tier settings")

    def __str__(self) -> str:
        return f"Tier settings of {self.program_id}"


class TierAssignment(TenantModel):
    """Where one partnership stands: its tier, since when, and any demotion waiting for its due date."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    tier = models.ForeignKey(
        "designer.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("tier")
    )
    since = models.DateTimeField(_("since"), null=True, blank=True)
    pending_tier = models.ForeignKey(
        "designer.Tier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moves down to"),
    )
    demotion_due_at = models.DateTimeField(_("moves down on"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("last evaluated"), null=True, blank=True)
    #: ``{metric key: "123.45" or None}`` as measured at the last evaluation (None: not measured yet).
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vendor", "partnership"], name="tierassignment_one_per_partnership"),
        ]
        indexes = [models.Index(fields=["vendor", "demotion_due_at"], name="tierassignment_vendor_due")]
        verbose_name = _("tier assignment")
        verbose_name_plural = _("tier assignments")

    def __str__(self) -> str:
        return f"{self.partnership_id}: {self.tier_id}"

    @property
    def demotion_scheduled(self) -> bool:
        return self.demotion_due_at is not None


class TierChange(TenantModel):
    """One line of a partnership's tier history. Tier names are kept so history survives a redesign."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial tier")
        PROMOTION = "promotion", _("Promotion")
        DEMOTION = "demotion", _("Demotion")
        DEMOTION_SCHEDULED = "demotion_scheduled", _("Demotion scheduled")
        DEMOTION_CANCELLED = "demotion_cancelled", _("Demotion cancelled")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    from_tier = models.ForeignKey("designer.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    to_tier = models.ForeignKey("designer.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    from_tier_name = models.CharField(_("from"), max_length=60, blank=True)
    to_tier_name = models.CharField(_("to"), max_length=60, blank=True)
    kind = models.CharField(_("change"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    #: For a scheduled demotion: when it takes effect.
    effective_at = models.DateTimeField(_("takes effect"), null=True, blank=True)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["vendor", "partnership", "-created_at"], name="tierchange_vendor_partnership"),
        ]
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")

    def __str__(self) -> str:
        return f"{self.kind}: {self.from_tier_name or '-'} → {self.to_tier_name or '-'}"


class TierRun(TenantModel):
    """One evaluation of a program's partnerships on one day; makes the daily run idempotent."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    evaluated = models.PositiveIntegerField(_("partnerships evaluated"), default=0)
    changes = models.PositiveIntegerField(_("changes"), default=0)

    class Meta:
        ordering = ["-day", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "program", "day"], name="tierrun_one_per_program_day"),
        ]
        verbose_name = _("tier run")
        verbose_name_plural = _("tier runs")

    def __str__(self) -> str:
        return f"Tier run of {self.program_id} on {self.day}"
