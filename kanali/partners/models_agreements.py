"""Agreements, their acceptance with evidence, onboarding checklists and the partnership's milestones.

An :class:`AgreementTemplate` is a numbered version of a program's agreement,
Markdown with a fixed set of ``{{ variable }}`` tokens that are substituted
per partnership (never through the template engine). Once published it is
frozen; a change is a new version, which every live partnership accepts again.
An :class:`AgreementAcceptance` keeps the evidence: who, when, from where, and
the exact text accepted with its SHA-256.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kanali.core.models import Partnership, Program
from kanali.core.tenancy import TenantModel

__all__ = [
    "AgreementAcceptance",
    "AgreementTemplate",
    "OnboardingProgress",
    "OnboardingStep",
    "PartnershipMilestones",
]

#: The tokens an agreement body may use, with what each becomes.
AGREEMENT_VARIABLES: dict[str, Promise] = {
    "partner_name": _("the partner company's name"),
    "partner_type": _("the partnership's partner type"),
    "tier": _("the partnership's tier (or “no tier”)"),
    "territory": _("the partner's territory (its country)"),
    "commission_terms": _("the commission terms below, with the tier's bonus"),
    "responsibility_matrix": _("the responsibility matrix of design step 8, as a table"),
}

#: ``{{ name }}`` with any inner spacing; the name is checked against AGREEMENT_VARIABLES.
TOKEN_RE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def template_token_errors(body: str) -> list[str]:
    """Messages for every unknown or unclosed ``{{ … }}`` token in ``body`` (empty: the body is fine)."""
    errors: list[str] = []
    unknown = sorted({name for name in TOKEN_RE.findall(body) if name not in AGREEMENT_VARIABLES})
    if unknown:
        errors.append(
            str(
                _("Unknown variable(s): %(names)s. Use only: %(known)s.")
                % {
                    "names": ", ".join(f"{{{{ {name} }}}}" for name in unknown),
                    "known": ", ".join(f"{{{{ {name} }}}}" for name in AGREEMENT_VARIABLES),
                }
            )
        )
    leftover = TOKEN_RE.sub("", body)
    if "{{" in leftover or "}}" in leftover:
        errors.append(str(_("A “{{” or “}}” is not part of a complete {{ variable }}.")))
    return errors


class AgreementTemplate(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+", verbose_name=_("program"))
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("agreement text"),
        help_text=_("Markdown. Variables such as {{ partner_name }} are filled in for each partner."),
    )
    commission_terms = models.TextField(
        _("commission terms"),
        blank=True,
        help_text=_("What {{ commission_terms }} says; the partner's tier bonus is added to it."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    acceptance_deadline_days = models.PositiveSmallIntegerField(
        _("days to accept"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Partners have this many days from publication to accept the new version."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "program", "version"], name="agreementtemplate_unique_version"),
        ]
        indexes = [models.Index(fields=["vendor", "program", "status"], name="agreement_vendor_program")]
        verbose_name = _("agreement template")
        verbose_name_plural = _("agreement templates")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def clean(self) -> None:
        errors = template_token_errors(self.body or "") + template_token_errors(self.commission_terms or "")
        if errors:
            raise ValidationError({"body": errors})


class AgreementAcceptance(TenantModel):
    """A partner admin's click-to-accept of one version, with the evidence that proves it."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    # Published versions are never deleted (the service refuses); a vendor or program going takes them along.
    template = models.ForeignKey(AgreementTemplate, on_delete=models.CASCADE, related_name="acceptances")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    #: Kept as text too, so the evidence outlives the user account.
    accepted_by_name = models.CharField(_("accepted by"), max_length=300)
    accepted_by_email = models.EmailField(_("e-mail"))
    accepted_at = models.DateTimeField(_("accepted"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rendered_text = models.TextField(_("text accepted"))

    class Meta:
        ordering = ["-accepted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "partnership", "template"], name="agreementacceptance_unique_per_partnership"
            ),
        ]
        indexes = [models.Index(fields=["vendor", "template"], name="acceptance_vendor_template")]
        verbose_name = _("agreement acceptance")
        verbose_name_plural = _("agreement acceptances")

    def __str__(self) -> str:
        return f"{self.template} accepted by {self.accepted_by_email}"


class OnboardingStep(TenantModel):
    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Accept the partner agreement")
        PROFILE = "profile", _("Complete the company profile")
        COLLEAGUE = "colleague", _("Invite a colleague")
        TRAINING = "training", _("Finish the first training module")
        FIRST_DEAL_OR_LEAD = "first_deal_or_lead", _("Accept a first lead or register a first deal")
        CUSTOM = "custom", _("Custom step")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.CUSTOM)
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Leave empty to use the standard wording.")
    )
    description = models.TextField(_("what to do"), blank=True)
    required = models.BooleanField(_("required for activation"), default=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            # One step of each built-in kind per program; custom steps as many as the vendor likes.
            models.UniqueConstraint(
                fields=["vendor", "program", "kind"], condition=~Q(kind="custom"), name="onboardingstep_unique_kind"
            ),
        ]
        indexes = [models.Index(fields=["vendor", "program", "position"], name="onboarding_vendor_program")]
        verbose_name = _("onboarding step")
        verbose_name_plural = _("onboarding steps")

    def __str__(self) -> str:
        return str(self.display_title)

    @property
    def display_title(self) -> str | Promise:
        return self.title or self.Kind(self.kind).label

    @property
    def is_custom(self) -> bool:
        return self.kind == self.Kind.CUSTOM

    def clean(self) -> None:
        if self.is_custom and not (self.title or "").strip():
            raise ValidationError({"title": _("A custom step needs a title.")})


class OnboardingProgress(TenantModel):
    """When a step was first done for a partnership, and by whom (empty for rule-based steps)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey(OnboardingStep, on_delete=models.CASCADE, related_name="progress")
    done_at = models.DateTimeField(_("done"))
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["done_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "partnership", "step"], name="onboardingprogress_unique"),
        ]
        verbose_name = _("onboarding progress")
        verbose_name_plural = _("onboarding progress")

    def __str__(self) -> str:
        return f"{self.step} done for partnership {self.partnership_id}"


class PartnershipMilestones(TenantModel):
    """Times the KPIs measure from: approval, activation, first deal (set by the deals app)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    first_deal_at = models.DateTimeField(_("first deal"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vendor", "partnership"], name="milestones_one_per_partnership"),
        ]
        verbose_name = _("partnership milestones")
        verbose_name_plural = _("partnership milestones")

    def __str__(self) -> str:
        return f"Milestones of partnership {self.partnership_id}"

    @property
    def days_to_activation(self) -> int | None:
        if self.approved_at is None or self.activated_at is None:
            return None
        return max((self.activated_at - self.approved_at).days, 0)

    @property
    def days_to_first_deal(self) -> int | None:
        if self.approved_at is None or self.first_deal_at is None:
            return None
        return max((self.first_deal_at - self.approved_at).days, 0)
