"""Applications to a program and the reviewers' scores on the selection matrix (designer step 13)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from kanali.core.models import Organization, Partnership, Program
from kanali.core.tenancy import TenantModel

__all__ = ["Application", "ApplicationScore"]


class Application(TenantModel):
    """A company's application to join one program; approval turns it into a partnership."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class RevenueBand(models.TextChoices):
        UNDER_500K = "under_500k", _("Under €0.5 million")
        FROM_500K = "500k_2m", _("€0.5–2 million")
        FROM_2M = "2m_10m", _("€2–10 million")
        FROM_10M = "10m_50m", _("€10–50 million")
        OVER_50M = "over_50m", _("Over €50 million")

    #: Statuses in which a company may not apply to the same program again.
    OPEN_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW)

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="applications")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("company on Kanali"),
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("partnership")
    )
    company_name = models.CharField(_("company name"), max_length=200)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    country = CountryField(_("country"))
    regions = models.JSONField(_("regions served"), default=list, blank=True)
    partner_type = models.CharField(_("partner type"), max_length=60)
    industries = models.JSONField(_("industries"), default=list, blank=True)
    specializations = models.JSONField(_("specializations"), default=list, blank=True)
    team_size = models.PositiveIntegerField(_("team size"), validators=[MinValueValidator(1)])
    certified_people = models.PositiveIntegerField(_("certified people"), default=0)
    revenue_band = models.CharField(_("annual revenue"), max_length=20, choices=RevenueBand.choices)
    references = models.TextField(_("customer references"), blank=True)
    motivation = models.TextField(_("why this program"), blank=True)
    contact_name = models.CharField(_("contact name"), max_length=150)
    contact_email = models.EmailField(_("contact e-mail"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    pre_score = models.DecimalField(_("pre-score"), max_digits=4, decimal_places=2, null=True, blank=True)
    total_score = models.DecimalField(_("score"), max_digits=4, decimal_places=2, null=True, blank=True)
    #: Secret part of the applicant's status link (the link is signed with the id and vendor).
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The database backs the "one open application per company and program" rule against races.
            models.UniqueConstraint(
                fields=["vendor", "program", "vat_number"],
                condition=models.Q(status__in=["submitted", "under_review"]) & ~models.Q(vat_number=""),
                name="application_one_open_per_vat",
            ),
            models.UniqueConstraint(
                fields=["vendor", "program", "organization"],
                condition=models.Q(status__in=["submitted", "under_review"], organization__isnull=False),
                name="application_one_open_per_org",
            ),
        ]
        indexes = [
            models.Index(fields=["vendor", "program", "status"], name="application_vendor_prog_status"),
            models.Index(fields=["vendor", "organization"], name="application_vendor_org"),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return f"{self.company_name} → {self.program}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_decided(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.REJECTED)


class ApplicationScore(TenantModel):
    """One reviewer's 1–5 score of one application on one selection criterion."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        "designer.SelectionCriterion", on_delete=models.CASCADE, related_name="+", verbose_name=_("criterion")
    )
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)], help_text=_("1 (poor) to 5 (excellent)")
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["criterion_id", "updated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "application", "criterion", "reviewer"], name="applicationscore_one_per_reviewer"
            ),
        ]
        indexes = [models.Index(fields=["vendor", "application"], name="applicationscore_vendor_app")]
        verbose_name = _("application score")
        verbose_name_plural = _("application scores")

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"
