"""Tenancy: organizations, who belongs to them, programs and partnerships."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from kanali.core.roles import PARTNER_ROLES, VENDOR_ROLES, Role
from kanali.core.tenancy import TenantModel


class Organization(models.Model):
    """A company on the installation: a vendor, a partner, or both.

    An organization is itself the tenant boundary, so it is not a
    :class:`TenantModel`; it is reached through memberships and partnerships.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    country = CountryField(_("country"), blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    is_vendor = models.BooleanField(_("runs partner programs"), default=False)
    is_partner = models.BooleanField(_("takes part in partner programs"), default=False)
    require_mfa = models.BooleanField(
        _("require two-factor authentication for staff"),
        default=False,
        help_text=_("Staff must set up an authenticator app before they can open the console."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user_per_org"),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"

    @property
    def is_vendor_role(self) -> bool:
        return self.role in VENDOR_ROLES

    @property
    def is_partner_role(self) -> bool:
        return self.role in PARTNER_ROLES


class Program(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "slug"], name="program_unique_slug_per_vendor"),
        ]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.name


class PartnerType(models.TextChoices):
    """The standard partner-type catalogue; the program designer chooses among them."""

    VAR = "var", _("Value-added reseller")
    MSP = "msp", _("Managed service provider")
    CONSULTANT = "consultant", _("Consultant")
    SI = "si", _("System integrator")
    OEM = "oem", _("OEM")
    ISV = "isv", _("Independent software vendor")
    DISTRIBUTOR = "distributor", _("Distributor")
    AGENCY = "agency", _("Agency")
    REFERRAL = "referral", _("Referral partner")


class Partnership(TenantModel):
    """One partner organization in one program."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("Approved")
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        TERMINATED = "terminated", _("Terminated")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="partnerships")
    partner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="partnerships")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.APPLIED)
    partner_type = models.CharField(_("partner type"), max_length=60, blank=True, choices=PartnerType.choices)
    tier = models.CharField(_("tier"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "program", "partner"], name="partnership_unique_partner_per_program"
            ),
        ]
        indexes = [models.Index(fields=["vendor", "status"], name="partnership_vendor_status")]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")

    def __str__(self) -> str:
        return f"{self.partner} in {self.program}"

    #: Statuses in which the partner's users can open the portal.
    PORTAL_STATUSES = (Status.APPROVED, Status.ONBOARDING, Status.ACTIVE)


class AuditLog(models.Model):
    """Who did what, where, when and from which address; written by services."""

    vendor = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=40, blank=True)
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["vendor", "-created_at"], name="audit_vendor_time"),
            models.Index(fields=["organization", "-created_at"], name="audit_org_time"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"


class Notification(models.Model):
    """An in-app notice to one person (the bell in the top bar); the e-mail copy is sent by a task.

    Not a tenant row: it belongs to its recipient, who may work for several
    organizations. ``vendor`` says which program's business it is about.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    vendor = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title
