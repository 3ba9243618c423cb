"""The standard catalogues a vendor chooses from while designing a program.

Keys are stable identifiers stored in the database; labels are translated.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise


class Side(models.TextChoices):
    VENDOR = "vendor", _("Vendor")
    PARTNER = "partner", _("Partner")
    BOTH = "both", _("Both")


class CanvasKind(models.TextChoices):
    JOB = "job", _("Customer job")
    PAIN = "pain", _("Pain")
    GAIN = "gain", _("Gain")
    PRODUCT = "product", _("Product or service")
    PAIN_RELIEVER = "pain_reliever", _("Pain reliever")
    GAIN_CREATOR = "gain_creator", _("Gain creator")
    ALTERNATIVE = "alternative", _("Alternative the customer has")


class SuccessFactorKey(models.TextChoices):
    PROOF_OF_CONCEPT = "proof_of_concept", _("Proof of concept")
    GOOD_SUPPORT = "good_support", _("Good support")
    PRICING_STRUCTURE = "pricing_structure", _("Pricing structure")
    PROJECT_MANAGEMENT = "project_management", _("Project management")
    PRODUCT_KNOWLEDGE = "product_knowledge", _("Product knowledge")
    FAST_DEAL_REGISTRATION = "fast_deal_registration", _("Fast deal registration")
    LEAD_QUALITY = "lead_quality", _("Lead quality")
    CUSTOM = "custom", _("Custom")


class MotivatorKind(models.TextChoices):
    MONEY = "money", _("Money")
    HAPPY_CUSTOMERS = "happy_customers", _("Happy customers")
    TRAINING = "training", _("Training programs")
    SALES_TOOLS = "sales_tools", _("Sales tools")
    LEADS = "leads", _("Leads")
    CERTIFICATIONS = "certifications", _("Certifications")
    OTHER = "other", _("Other")


class ProgramElement(models.TextChoices):
    """Modules a program switches on for its partners (design step 7)."""

    TRAINING = "training", _("Training platform")
    FORUM = "forum", _("Developer forum")
    LEADS = "leads", _("Lead distribution platform")
    SUPPORT = "support", _("Support platform")


RESPONSIBILITY_CATALOGUE: list[tuple[str, StrOrPromise, Side]] = [
    ("deliver_leads", _("Deliver qualified leads"), Side.VENDOR),
    ("presales_support", _("Pre-sales technical support"), Side.VENDOR),
    ("postsales_support", _("Post-sales support"), Side.BOTH),
    ("training", _("Training on the products"), Side.VENDOR),
    ("certification", _("Certification program"), Side.VENDOR),
    ("marketing_material", _("Marketing material and sales kit"), Side.VENDOR),
    ("prospecting", _("Prospecting and first meetings"), Side.PARTNER),
    ("demos", _("Product demonstrations"), Side.BOTH),
    ("implementation", _("Implementation and onboarding of customers"), Side.PARTNER),
    ("first_line_support", _("First-line customer support"), Side.PARTNER),
    ("market_knowledge", _("Keeping up with the market"), Side.PARTNER),
    ("forecasting", _("Pipeline forecasting"), Side.PARTNER),
]


class CapabilityArea(models.TextChoices):
    PROGRAM = "program", _("Program documentation")
    MARKETING = "marketing", _("Marketing")
    TRAINING = "training", _("Training platform")
    FORUM = "forum", _("Developer forum")


CAPABILITY_CATALOGUE: list[tuple[str, StrOrPromise, CapabilityArea]] = [
    ("operating_plan", _("Operating plan: resources, timeline, organization, systems"), CapabilityArea.PROGRAM),
    ("legal_agreement", _("Legal partner agreement"), CapabilityArea.PROGRAM),
    ("internal_presentation", _("Internal presentation of the program"), CapabilityArea.PROGRAM),
    ("account_manager_expectations", _("What account managers expect from partners"), CapabilityArea.PROGRAM),
    ("internal_handbook", _("Internal handbook"), CapabilityArea.PROGRAM),
    ("presales_help", _("Pre-sales help for partners"), CapabilityArea.PROGRAM),
    ("lead_handling", _("How leads are handled and what partners must do"), CapabilityArea.PROGRAM),
    ("selection_matrix", _("Partner selection matrix"), CapabilityArea.PROGRAM),
    ("roadmap", _("Program roadmap presentation"), CapabilityArea.PROGRAM),
    ("coop_fund_structure", _("Co-op fund structure"), CapabilityArea.PROGRAM),
    ("sales_presentations", _("External sales presentation"), CapabilityArea.MARKETING),
    ("certificates", _("Partner and training certificates"), CapabilityArea.MARKETING),
    ("brochure", _("Two-page program brochure"), CapabilityArea.MARKETING),
    ("program_web_page", _("Program web page"), CapabilityArea.MARKETING),
    ("partner_portal", _("Partner portal"), CapabilityArea.MARKETING),
    ("training_platform", _("Training platform with courses and tests"), CapabilityArea.TRAINING),
    ("developer_forum", _("Developer forum with guides and examples"), CapabilityArea.FORUM),
]


class KpiKey(models.TextChoices):
    PARTNER_ACTIVATION_RATE = "partner_activation_rate", _("Partner activation rate")
    TIME_TO_FIRST_DEAL = "time_to_first_deal", _("Time to first deal")
    LEAD_ACCEPTANCE_RATE = "lead_acceptance_rate", _("Lead acceptance rate")
    LEAD_RESPONSE_TIME = "lead_response_time", _("Lead response time")
    PARTNER_PIPELINE = "partner_pipeline", _("Pipeline through partners")
    PARTNER_REVENUE = "partner_revenue", _("Revenue through partners")
    WIN_RATE = "win_rate", _("Win rate")
    CERTIFIED_PARTNERS = "certified_partners", _("Certified partners")
    FUND_ROI = "fund_roi", _("Co-op fund ROI")
    PARTNER_SATISFACTION = "partner_satisfaction", _("Partner satisfaction")
    ACTIVE_PARTNERS = "active_partners", _("Active partners")


class KpiPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class ChannelRoleKind(models.TextChoices):
    CHANNEL_CHIEF = "channel_chief", _("Channel chief")
    PARTNER_ACCOUNT_MANAGER = "partner_account_manager", _("Partner account manager")
    PARTNER_MARKETING = "partner_marketing", _("Partner marketing")
    ENABLEMENT = "enablement", _("Enablement")
    SUPPORT = "support", _("Partner support")


class SelectionData(models.TextChoices):
    """Application data a selection criterion can be pre-scored from (partners app)."""

    NONE = "", _("Reviewer judgement only")
    REGION_OVERLAP = "region_overlap", _("Overlap with our target regions")
    PARTNER_TYPE = "partner_type", _("Partner type we seek")
    CERTIFIED_PEOPLE = "certified_people", _("Certified people")
    TEAM_SIZE = "team_size", _("Team size")
    REVENUE_BAND = "revenue_band", _("Revenue band")
    REFERENCES = "references", _("Customer references")


PARTNER_TYPE_DEFINITIONS: dict[str, StrOrPromise] = {
    "var": _("Resells your product with added value of its own: configuration, integration, services."),
    "msp": _("Runs your product for its customers as a managed, recurring service."),
    "consultant": _("Advises customers and recommends or implements your product as part of a project."),
    "si": _("Builds larger solutions that combine your product with other systems."),
    "oem": _("Embeds your product in its own product and sells it under its brand."),
    "isv": _("Builds software on or around your product and sells it alongside."),
    "distributor": _("Buys in volume and supplies resellers; handles logistics, credit and stock."),
    "agency": _("Marketing or digital agency that brings your product into its clients' projects."),
    "referral": _("Introduces customers to you for a fee; you sell and deliver."),
}
