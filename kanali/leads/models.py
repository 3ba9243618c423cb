"""Leads: what comes in, whom it is offered to, what each partner did with it, and why.

A lead belongs to one program. Routing stores a :class:`RoutingDecision`
(the engine's explanation, as JSON) and, when it offers the lead, an
:class:`Offer` with a deadline. At most one offer of a lead is pending at a
time, and the database enforces it (``offer_one_pending_per_lead``), so
racing accept / decline / expiry / reassign end with one outcome.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from kanali.core.models import Partnership, Program
from kanali.core.money import CurrencyField, amount_field
from kanali.core.tenancy import TenantModel


class LeadSettings(TenantModel):
    """A program's lead rules: routing weights and mode, the acceptance deadline, attempts, the web form."""

    class Mode(models.TextChoices):
        AUTO = "auto", _("Automatic: offer to the best partner")
        SEQUENTIAL = "sequential", _("In sequence: the best, then the next")
        SUGGEST = "suggest", _("Suggest: a person picks from the ranking")

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="lead_settings")
    mode = models.CharField(_("routing mode"), max_length=20, choices=Mode.choices, default=Mode.AUTO)
    #: Feature name → relative weight (``kanali.leads.routing.FEATURES``); empty means the engine's defaults.
    weights = models.JSONField(_("weights"), default=dict, blank=True)
    max_distance_km = models.PositiveIntegerField(_("distance that scores zero (km)"), default=300)
    acceptance_hours = models.PositiveIntegerField(_("hours a partner has to accept"), default=48)
    max_attempts = models.PositiveSmallIntegerField(_("offers before the lead returns to you"), default=3)
    fairness_window_days = models.PositiveSmallIntegerField(_("fairness window (days)"), default=30)
    web_form_enabled = models.BooleanField(_("accept leads from the public web form"), default=False)
    #: Partner types (``kanali.core.models.PartnerType``) that receive leads; empty means every type.
    partner_types = models.JSONField(_("partner types that receive leads"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vendor", "program"], name="leadsettings_one_per_program")]
        verbose_name = _("lead settings")
        verbose_name_plural = _("lead settings")

    def __str__(self) -> str:
        return f"Lead settings of {self.program_id}"


class RoutingProfile(TenantModel):
    """How routing sees one partnership: where it works, what it takes, how much, and whether it is away.

    Territory is the vendor's to set; capacity, pause, languages and offices
    the partner may keep up to date itself.
    """

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="routing_profile")
    countries = models.JSONField(_("countries served"), default=list, blank=True)  # ISO 3166-1 alpha-2, or ["*"]
    regions = models.JSONField(_("regions served"), default=list, blank=True)  # ISO 3166-2
    languages = models.JSONField(_("languages"), default=list, blank=True)  # ISO 639-1
    industries = models.JSONField(_("industries"), default=list, blank=True)
    specializations = models.JSONField(_("specializations"), default=list, blank=True)
    #: Offices as ``{"city", "country", "lat", "lon"}``; distance is from the nearest.
    offices = models.JSONField(_("offices"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("most open leads at once"), null=True, blank=True)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vendor", "partnership"], name="routingprofile_one_per_partnership")
        ]
        verbose_name = _("routing profile")
        verbose_name_plural = _("routing profiles")

    def __str__(self) -> str:
        return f"Routing profile of {self.partnership_id}"


class Lead(TenantModel):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        CONVERTED = "converted", _("Converted")
        RETURNED = "returned", _("Returned to vendor")
        DISQUALIFIED = "disqualified", _("Disqualified")

    class Source(models.TextChoices):
        FORM = "form", _("Entered by hand")
        IMPORT = "import", _("Imported")
        WEB = "web", _("Web form")
        API = "api", _("API")

    #: Statuses in which a lead counts as open (for duplicates and partner capacity).
    OPEN_STATUSES = (Status.NEW, Status.OFFERED, Status.ACCEPTED, Status.CONTACTED, Status.QUALIFIED)
    #: Statuses a partner works the lead in, after accepting it.
    WORKING_STATUSES = (Status.ACCEPTED, Status.CONTACTED, Status.QUALIFIED)

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="leads")
    company = models.CharField(_("company"), max_length=200)
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    #: Lower-case domain of the e-mail (or website) for duplicate checks; empty for mailbox providers.
    email_domain = models.CharField(max_length=255, blank=True, editable=False)
    phone = models.CharField(_("phone"), max_length=32, blank=True)  # E.164
    country = CountryField(_("country"))
    region = models.CharField(_("region"), max_length=10, blank=True)  # ISO 3166-2
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    product = models.CharField(_("product interest"), max_length=120, blank=True)
    estimated_value = amount_field(_("estimated value"), null=True, blank=True)
    currency = CurrencyField(_("currency"))
    language = models.CharField(_("language"), max_length=8, blank=True)  # ISO 639-1
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.FORM)
    campaign = models.CharField(_("campaign code"), max_length=60, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    external_id = models.CharField(_("ID in the source system"), max_length=80, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    #: The partnership the lead is offered to or worked by; empty while new or returned.
    partnership = models.ForeignKey(
        Partnership, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads", verbose_name=_("partner")
    )
    attempts = models.PositiveSmallIntegerField(_("offers made"), default=0)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("possible duplicate of"),
    )
    disqualify_reason = models.CharField(_("reason"), max_length=200, blank=True)
    #: ``Idempotency-Key`` of the API request that created it, and a digest of that request's body.
    idempotency_key = models.CharField(max_length=200, blank=True)
    idempotency_digest = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="lead_unique_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["vendor", "program", "status"], name="lead_vendor_prog_status"),
            models.Index(fields=["vendor", "partnership", "status"], name="lead_vendor_partner_status"),
            models.Index(fields=["vendor", "program", "email"], name="lead_vendor_prog_email"),
            models.Index(fields=["vendor", "program", "email_domain"], name="lead_vendor_prog_domain"),
            models.Index(fields=["vendor", "-created_at"], name="lead_vendor_created"),
        ]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self) -> str:
        return self.company

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class RoutingDecision(TenantModel):
    """One run of the engine for one lead, with its stored explanation."""

    class Kind(models.TextChoices):
        AUTOMATIC = "automatic", _("Automatic")
        NEXT = "next", _("Next after decline or expiry")
        MANUAL = "manual", _("Reassigned by hand")
        SUGGESTION = "suggestion", _("Suggestions for a person to pick")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    #: ``kanali.leads.routing.Explanation``; the vendor sees it all, a partner only ``partner_view``.
    explanation = models.JSONField(_("explanation"), default=dict)
    winner = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chosen partner"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["vendor", "lead", "-created_at"], name="decision_vendor_lead"),
            models.Index(fields=["vendor", "-created_at"], name="decision_vendor_time"),
        ]
        verbose_name = _("routing decision")
        verbose_name_plural = _("routing decisions")

    def __str__(self) -> str:
        return f"Decision {self.pk} for lead {self.lead_id}"


class Offer(TenantModel):
    """A lead offered to one partnership until it accepts, declines, lets it expire, or it is withdrawn."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the partner")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class DeclineReason(models.TextChoices):
        NOT_A_FIT = "not_a_fit", _("Not a fit")
        NO_CAPACITY = "no_capacity", _("No capacity")
        DUPLICATE = "duplicate", _("Duplicate")
        SPAM = "spam", _("Spam")
        OTHER = "other", _("Other")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="offers")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="lead_offers")
    decision = models.ForeignKey(RoutingDecision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    offered_at = models.DateTimeField(_("offered"))
    deadline = models.DateTimeField(_("accept by"))
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=20, choices=DeclineReason.choices, blank=True)
    decline_note = models.CharField(_("note"), max_length=300, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-offered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "lead"],
                condition=models.Q(status="pending"),
                name="offer_one_pending_per_lead",
            ),
        ]
        indexes = [
            models.Index(fields=["vendor", "partnership", "status"], name="offer_vendor_partner_status"),
            models.Index(fields=["vendor", "status", "deadline"], name="offer_vendor_status_deadline"),
            models.Index(fields=["vendor", "lead", "status"], name="offer_vendor_lead_status"),
        ]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    def __str__(self) -> str:
        return f"Lead {self.lead_id} → {self.partnership_id} ({self.status})"


class LeadEvent(TenantModel):
    """The lead's history: every status change and action, who did it, and when."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    partnership = models.ForeignKey(Partnership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["vendor", "lead", "created_at"], name="leadevent_vendor_lead_time")]
        verbose_name = _("lead event")
        verbose_name_plural = _("lead events")

    def __str__(self) -> str:
        return f"{self.action} on lead {self.lead_id}"


class LeadImport(TenantModel):
    """An uploaded file checked in a dry run; committing it creates every lead or none."""

    class Status(models.TextChoices):
        CHECKED = "checked", _("Checked")
        IMPORTED = "imported", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("file"), max_length=200)
    preset = models.CharField(_("column preset"), max_length=20, blank=True)
    #: Lead field → column heading in the file.
    mapping = models.JSONField(_("column mapping"), default=dict)
    #: The cleaned rows, ready to create (only when ``error_count`` is 0).
    rows = models.JSONField(default=list)
    #: ``[{"row": n, "errors": {field: [messages]}}]`` for the rows that cannot be imported.
    errors = models.JSONField(default=list)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    duplicate_count = models.PositiveIntegerField(_("possible duplicates"), default=0)
    route = models.BooleanField(_("route the leads after import"), default=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CHECKED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["vendor", "-created_at"], name="leadimport_vendor_created")]
        verbose_name = _("lead import")
        verbose_name_plural = _("lead imports")

    def __str__(self) -> str:
        return self.filename
