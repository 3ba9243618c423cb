"""Commissions: plans and their rules, the lines won deals earn, statements that pay them, bank details.

A program has at most one *active* :class:`CommissionPlan`; its
:class:`CommissionRule` rows decide what a won deal pays (see
:mod:`kanali.incentives.calc`). Every win creates one positive
:class:`CommissionLine`; a reversed win creates one negative clawback line
that points at it. Lines sit on a :class:`Statement` per partnership, period
and currency: a draft collects lines, finance approves it (then it never
changes) and marks it paid with a reference. :class:`PayoutAccount` holds the
partner's IBAN for the payout file.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kanali.core.models import Partnership, PartnerType, Program
from kanali.core.money import CurrencyField, amount_field
from kanali.core.tenancy import TenantModel
from kanali.incentives import calc

__all__ = ["CommissionLine", "CommissionPlan", "CommissionRule", "PayoutAccount", "Statement"]

PERCENT_RANGE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class Period(models.TextChoices):
    MONTH = calc.MONTH, _("Month")
    QUARTER = calc.QUARTER, _("Quarter")


class CommissionPlan(TenantModel):
    """How a program pays partners for won deals; at most one plan per program is active."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+", verbose_name=_("program"))
    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("active"), default=True, help_text=_("Only the active plan pays new wins."))
    period = models.CharField(
        _("statement period"),
        max_length=10,
        choices=Period.choices,
        default=Period.MONTH,
        help_text=_("Statements and accelerator thresholds run per month or per quarter."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-active", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "program"], condition=models.Q(active=True), name="commissionplan_one_active"
            ),
        ]
        indexes = [models.Index(fields=["vendor", "program", "active"], name="commissionplan_vendor_program")]
        verbose_name = _("commission plan")
        verbose_name_plural = _("commission plans")

    def __str__(self) -> str:
        return self.name


class CommissionRule(TenantModel):
    """One rule of a plan: who and what it matches, and what it pays."""

    class Kind(models.TextChoices):
        PERCENT = calc.PERCENT, _("Percentage of the deal amount")
        FLAT = calc.FLAT, _("Flat amount per deal")

    plan = models.ForeignKey(CommissionPlan, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    tier = models.ForeignKey(
        "designer.Tier",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tier"),
        help_text=_("Empty: every tier."),
    )
    partner_type = models.CharField(
        _("partner type"), max_length=60, blank=True, choices=PartnerType.choices, help_text=_("Empty: every type.")
    )
    product = models.SlugField(_("product code"), max_length=60, blank=True, help_text=_("Empty: every product."))
    kind = models.CharField(_("pays"), max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    rate_pct = models.DecimalField(
        _("rate (%)"), max_digits=5, decimal_places=2, default=Decimal(0), validators=PERCENT_RANGE
    )
    flat_amount = amount_field(_("flat amount"), default=Decimal(0), validators=[MinValueValidator(Decimal(0))])
    currency = CurrencyField(_("currency"), help_text=_("Of the flat amount and the accelerator threshold."))
    accelerator_threshold = amount_field(
        _("accelerator above"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Revenue won in the period above which the accelerator rate pays."),
    )
    accelerator_rate_pct = models.DecimalField(
        _("accelerator rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_RANGE
    )

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["vendor", "plan"], name="commissionrule_vendor_plan")]
        verbose_name = _("commission rule")
        verbose_name_plural = _("commission rules")

    def __str__(self) -> str:
        if self.kind == self.Kind.FLAT:
            return f"{self.flat_amount} {self.currency}"
        return f"{self.rate_pct} %"

    def as_calc(self) -> calc.Rule:
        return calc.Rule(
            id=self.pk or 0,
            kind=self.kind,
            rate_pct=self.rate_pct,
            flat_amount=self.flat_amount,
            currency=self.currency,
            tier_id=self.tier_id,
            partner_type=self.partner_type,
            product=self.product,
            accelerator_threshold=self.accelerator_threshold,
            accelerator_rate_pct=self.accelerator_rate_pct,
            position=self.position,
        )


class Statement(TenantModel):
    """What one partnership earned in one period, in one currency: draft → approved → paid."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+", verbose_name=_("program"))
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+", verbose_name=_("partner"))
    number = models.CharField(_("statement number"), max_length=40)
    period_kind = models.CharField(_("period"), max_length=10, choices=Period.choices, default=Period.MONTH)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"), help_text=_("The first day after the period."))
    currency = CurrencyField(_("currency"))
    total = amount_field(_("total"), default=Decimal(0))
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(_("marked paid"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "partnership__partner__name", "currency", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "partnership", "period_start", "currency"], name="statement_one_per_period"
            ),
            models.UniqueConstraint(fields=["vendor", "number"], name="statement_unique_number"),
        ]
        indexes = [
            models.Index(fields=["vendor", "status", "-period_start"], name="statement_vendor_status"),
            models.Index(fields=["vendor", "partnership", "-period_start"], name="statement_vendor_partner"),
        ]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self) -> str:
        return self.number

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def period_label(self) -> str:
        return calc.period_label(self.period_start, self.period_kind)

    @property
    def period_last_day(self) -> date:
        return self.period_end - timedelta(days=1)


class CommissionLine(TenantModel):
    """One earning (a won deal) or one clawback (that win reversed), in the deal's currency."""

    class Kind(models.TextChoices):
        COMMISSION = "commission", _("Commission")
        CLAWBACK = "clawback", _("Clawback")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+", verbose_name=_("partner"))
    # RESTRICT, not CASCADE: money already earned must not vanish with a deal (a vendor's deletion still cascades).
    deal = models.ForeignKey("deals.Deal", on_delete=models.RESTRICT, related_name="+", verbose_name=_("deal"))
    statement = models.ForeignKey(Statement, on_delete=models.RESTRICT, related_name="lines")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COMMISSION)
    #: The deal's n-th win (1, 2, … if it was reopened and won again); a clawback carries its win's number.
    cycle = models.PositiveSmallIntegerField(default=1)
    reverses = models.OneToOneField(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="reversed_by"
    )
    rule = models.ForeignKey(CommissionRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    earned_on = models.DateField(_("date"))
    deal_name = models.CharField(_("deal"), max_length=200)
    customer = models.CharField(_("customer"), max_length=200, blank=True)
    base_amount = amount_field(_("deal amount"))
    currency = CurrencyField(_("currency"))
    rate_pct = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    flat_amount = amount_field(_("flat amount"), null=True, blank=True)
    accelerated_base = amount_field(_("amount above the threshold"), default=Decimal(0))
    accelerator_rate_pct = models.DecimalField(
        _("accelerator rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    bonus_pct = models.DecimalField(_("tier bonus (%)"), max_digits=5, decimal_places=2, default=Decimal(0))
    tier_name = models.CharField(_("tier"), max_length=60, blank=True)
    amount = amount_field(_("commission"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["earned_on", "pk"]
        constraints = [
            # The hook may fire twice for one event: the second insert fails instead of paying twice.
            models.UniqueConstraint(fields=["vendor", "deal", "kind", "cycle"], name="commissionline_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["vendor", "partnership", "-earned_on"], name="commissionline_vendor_partner"),
            models.Index(fields=["vendor", "statement"], name="commissionline_vendor_stmt"),
            models.Index(fields=["vendor", "-earned_on"], name="commissionline_vendor_date"),
        ]
        verbose_name = _("commission line")
        verbose_name_plural = _("commission lines")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency} ({self.deal_name})"

    @property
    def is_clawback(self) -> bool:
        return self.kind == self.Kind.CLAWBACK


class PayoutAccount(TenantModel):
    """Where the vendor pays one partnership: the partner admin keeps it up to date in the portal."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    account_holder = models.CharField(_("account holder"), max_length=140)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vendor", "partnership"], name="payoutaccount_one_per_partner")]
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")

    def __str__(self) -> str:
        return f"{self.account_holder} ({self.masked_iban})"

    @property
    def masked_iban(self) -> str:
        return f"{self.iban[:4]} … {self.iban[-4:]}" if len(self.iban) > 8 else self.iban
