"""Partner management and the directory: vendor notes, status history, what partners publish.

* :class:`PartnerNote` and :class:`PartnershipStatusChange` belong to a vendor
  (tenant rows); notes are never shown to partners.
* :class:`DirectoryProfile` belongs to a partner *organization*, not to a
  vendor: it is the partner's own choice of what to publish, shared by every
  program it lists itself in and by the installation-wide ecosystem directory
  (like :class:`~kanali.core.models.Membership`, it is keyed by organization).
* :class:`LocatorListing` is the partner's opt-in to one program's public
  partner locator (a tenant row of that program's vendor).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kanali.core.models import Organization, Partnership
from kanali.core.tenancy import TenantModel

__all__ = [
    "DirectoryProfile",
    "Industry",
    "LocatorListing",
    "PartnerNote",
    "PartnershipStatusChange",
    "Specialization",
]


class Specialization(models.TextChoices):
    """What a partner is good at; stored as keys so the directory can filter on them."""

    CLOUD = "cloud", _("Cloud and SaaS")
    SECURITY = "security", _("Cybersecurity")
    NETWORKING = "networking", _("Networking")
    DATA = "data", _("Data and analytics")
    ERP = "erp", _("ERP and accounting")
    CRM = "crm", _("CRM and sales tools")
    ECOMMERCE = "ecommerce", _("E-commerce")
    IOT = "iot", _("IoT and devices")
    AUTOMATION = "automation", _("Industrial automation")
    ENERGY = "energy", _("Energy and metering")
    MANAGED_SERVICES = "managed_services", _("Managed IT services")
    SOFTWARE_DEVELOPMENT = "software_development", _("Software development")
    TRAINING = "training", _("Training")
    MARKETING = "marketing", _("Digital marketing")


class Industry(models.TextChoices):
    """Industries a partner serves."""

    ACCOUNTING = "accounting", _("Accounting and finance")
    RETAIL = "retail", _("Retail")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    HEALTHCARE = "healthcare", _("Healthcare")
    PUBLIC_SECTOR = "public_sector", _("Public sector")
    EDUCATION = "education", _("Education")
    HOSPITALITY = "hospitality", _("Hospitality and tourism")
    LOGISTICS = "logistics", _("Logistics and shipping")
    ENERGY = "energy", _("Energy and utilities")
    LEGAL = "legal", _("Legal and professional services")
    CONSTRUCTION = "construction", _("Construction")
    AGRICULTURE = "agriculture", _("Agriculture and food")


class PartnerNote(TenantModel):
    """A vendor's private note about a partnership; partners never see it."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["vendor", "partnership", "-created_at"], name="partnernote_vendor_time")]
        verbose_name = _("partner note")
        verbose_name_plural = _("partner notes")

    def __str__(self) -> str:
        return self.text[:60]


class PartnershipStatusChange(TenantModel):
    """One suspension, reactivation or termination, with its reason; reactivation reads the status to restore."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    from_status = models.CharField(_("from"), max_length=20, choices=Partnership.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Partnership.Status.choices)
    reason = models.TextField(_("reason"), max_length=2000)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["vendor", "partnership", "-created_at"], name="statuschange_vendor_time"),
        ]
        verbose_name = _("partnership status change")
        verbose_name_plural = _("partnership status changes")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class DirectoryProfile(models.Model):
    """What a partner organization chose to publish about itself in locators and the ecosystem directory.

    Not a tenant row: the partner owns it, across all the vendors it works with.
    Vendors read it only where the partner opted in (a :class:`LocatorListing`
    or ``listed_in_ecosystem``).
    """

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="directory_profile")
    listed_in_ecosystem = models.BooleanField(
        _("list us in the ecosystem directory"),
        default=False,
        help_text=_("Vendors on Kanali can find your company and invite it to their programs."),
    )
    description = models.TextField(_("about us"), max_length=2000, blank=True)
    specializations = models.JSONField(_("specializations"), default=list, blank=True)
    industries = models.JSONField(_("industries served"), default=list, blank=True)
    regions = models.JSONField(_("regions served"), default=list, blank=True)  # ISO 3166-2 codes
    city = models.CharField(_("city"), max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["listed_in_ecosystem"], name="dirprofile_ecosystem")]
        verbose_name = _("directory profile")
        verbose_name_plural = _("directory profiles")

    def __str__(self) -> str:
        return f"Directory profile of {self.organization_id}"

    def specialization_labels(self) -> list[str]:
        return [str(Specialization(key).label) for key in self.specializations if key in Specialization.values]

    def industry_labels(self) -> list[str]:
        return [str(Industry(key).label) for key in self.industries if key in Industry.values]


class LocatorListing(TenantModel):
    """A partner's choice to appear in one program's public partner locator."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    listed_in_locator = models.BooleanField(_("list us in the public partner locator"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vendor", "partnership"], name="locatorlisting_one_per_partnership"),
        ]
        indexes = [models.Index(fields=["vendor", "listed_in_locator"], name="locatorlisting_vendor_listed")]
        verbose_name = _("locator listing")
        verbose_name_plural = _("locator listings")

    def __str__(self) -> str:
        return f"Locator listing of partnership {self.partnership_id}"
