"""Deals: the vendor's customer accounts, partners' deal registrations, and the pipeline.

A :class:`DealRegistration` is a partner's claim on a customer. On submit it
is checked against everything the vendor knows (accounts, open deals, other
registrations, open leads) and the matches are stored in ``conflicts`` — for
the vendor's eyes only. Approval protects it for the program's
``DealSettings.protection_days`` and opens a :class:`Deal` at the first stage
of the designed sales process; a :class:`DealStageChange` records every move.

:class:`ConflictLock` is one row per vendor that registration submits lock
(``select_for_update``) so two partners registering the same customer at the
same moment are checked one after the other and cannot miss each other.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from kanali.core.models import Partnership, Program
from kanali.core.money import CurrencyField, amount_field
from kanali.core.tenancy import TenantModel

__all__ = [
    "Account",
    "ConflictLock",
    "Deal",
    "DealRegistration",
    "DealSettings",
    "DealStageChange",
    "Product",
]


class DealSettings(TenantModel):
    """A program's deal-registration rules: how long approval protects a deal, when to remind, one extension."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="deal_settings")
    protection_days = models.PositiveSmallIntegerField(_("protection period (days)"), default=90)
    reminder_days = models.PositiveSmallIntegerField(_("remind this many days before protection ends"), default=14)
    extension_days = models.PositiveSmallIntegerField(_("an extension adds (days)"), default=30)
    #: Lowest fuzzy name score (0–100) reported as a conflict.
    name_threshold = models.PositiveSmallIntegerField(
        _("name match threshold"), default=89, validators=[MaxValueValidator(100)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vendor", "program"], name="dealsettings_one_per_program")]
        verbose_name = _("deal settings")
        verbose_name_plural = _("deal settings")

    def __str__(self) -> str:
        return f"Deal settings of {self.program_id}"


class ConflictLock(TenantModel):
    """One row per vendor, locked while a registration is checked and saved (see the module docstring)."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vendor"], name="conflictlock_one_per_vendor")]
        verbose_name = _("conflict lock")
        verbose_name_plural = _("conflict locks")

    def __str__(self) -> str:
        return f"Conflict lock of {self.vendor_id}"


class Product(TenantModel):
    """The vendor's catalogue, referred to by ``code`` from registrations, deals and commission plans."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="products")
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "program", "code"], name="product_unique_code"),
        ]
        indexes = [models.Index(fields=["vendor", "program", "active"], name="product_vendor_prog_active")]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name


class Account(TenantModel):
    """A customer or prospect the vendor knows. Domains may repeat (imports from several systems)."""

    class Source(models.TextChoices):
        IMPORT = "import", _("Imported")
        LEAD = "lead", _("From a lead")
        DEAL = "deal", _("From a deal")
        MANUAL = "manual", _("Entered by hand")

    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("website domain"), max_length=255, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    country = CountryField(_("country"), blank=True)
    #: Id in the system it came from (Salesforce, HubSpot); an import updates the account with the same id.
    external_id = models.CharField(_("ID in the source system"), max_length=80, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "external_id"],
                condition=~models.Q(external_id=""),
                name="account_unique_external_id",
            ),
        ]
        indexes = [
            models.Index(fields=["vendor", "name"], name="account_vendor_name"),
            models.Index(fields=["vendor", "domain"], name="account_vendor_domain"),
            models.Index(fields=["vendor", "updated_at"], name="account_vendor_updated"),
        ]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.name


class DealRegistration(TenantModel):
    """A partner's claim on an opportunity, decided by the vendor and protected for a period once approved."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Protection expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="deal_registrations")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="deal_registrations", verbose_name=_("partner")
    )
    account = models.ForeignKey(Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="registrations")
    company = models.CharField(_("customer company"), max_length=200)
    domain = models.CharField(_("customer website"), max_length=255, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    country = CountryField(_("country"))
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    #: Product codes (:class:`Product.code`) of the program.
    products = models.JSONField(_("products"), default=list, blank=True)
    estimated_value = amount_field(_("estimated value"))
    currency = CurrencyField(_("currency"))
    expected_close = models.DateField(_("expected close"))
    notes = models.TextField(_("notes"), blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    in_conflict = models.BooleanField(_("in conflict"), default=False)
    #: ``[{"kind", "id", "reason", "score", "label", "owner"}]`` — shown to the vendor only.
    conflicts = models.JSONField(_("conflicts"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason"), max_length=300, blank=True)
    protected_until = models.DateField(_("protected until"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("expiry reminder sent"), null=True, blank=True)
    extension_requested_at = models.DateTimeField(_("extension requested"), null=True, blank=True)
    extension_reason = models.CharField(_("why an extension"), max_length=300, blank=True)
    extension_decided_at = models.DateTimeField(_("extension decided"), null=True, blank=True)
    extension_granted = models.BooleanField(_("extension granted"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["vendor", "status", "-created_at"], name="dealreg_vendor_status"),
            models.Index(fields=["vendor", "partnership", "status"], name="dealreg_vendor_partner_status"),
            models.Index(fields=["vendor", "status", "protected_until"], name="dealreg_vendor_protection"),
            models.Index(fields=["vendor", "updated_at"], name="dealreg_vendor_updated"),
        ]
        verbose_name = _("deal registration")
        verbose_name_plural = _("deal registrations")

    def __str__(self) -> str:
        return self.company

    @property
    def is_decided(self) -> bool:
        return self.status != self.Status.SUBMITTED

    @property
    def can_request_extension(self) -> bool:
        return self.status == self.Status.APPROVED and self.extension_requested_at is None


class Deal(TenantModel):
    """An opportunity in the pipeline; its stage is a snapshot of a designer pipeline stage."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="deals")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="deals", verbose_name=_("partner")
    )
    registration = models.OneToOneField(
        DealRegistration, on_delete=models.SET_NULL, null=True, blank=True, related_name="deal"
    )
    lead = models.ForeignKey("leads.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="deals")
    account = models.ForeignKey(Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="deals")
    name = models.CharField(_("deal"), max_length=200)
    amount = amount_field(_("amount"))
    currency = CurrencyField(_("currency"))
    #: Product codes (:class:`Product.code`) of the program.
    products = models.JSONField(_("products"), default=list, blank=True)
    stage = models.CharField(_("stage"), max_length=100)
    stage_position = models.PositiveSmallIntegerField(_("stage position"), default=1)
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    won_at = models.DateTimeField(_("won"), null=True, blank=True)
    lost_reason = models.CharField(_("reason lost"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["vendor", "status", "stage_position"], name="deal_vendor_status_stage"),
            models.Index(fields=["vendor", "partnership", "status"], name="deal_vendor_partner_status"),
            models.Index(fields=["vendor", "status", "won_at"], name="deal_vendor_won"),
            models.Index(fields=["vendor", "updated_at"], name="deal_vendor_updated"),
        ]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class DealStageChange(TenantModel):
    """One move of a deal: stage and/or status before and after, who, why."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from stage"), max_length=100, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=100, blank=True)
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["vendor", "deal", "created_at"], name="dealstage_vendor_deal_time")]
        verbose_name = _("deal stage change")
        verbose_name_plural = _("deal stage changes")

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage} on deal {self.deal_id}"
