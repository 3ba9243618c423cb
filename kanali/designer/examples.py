""" "What good looks like": two complete example designs a vendor can load and adapt.

Each example is plain data shaped like the API's step payload, step key →
``{"design": {field: value}, "collections": {collection key: [rows]}}``,
with readable references (a tier by name, a success factor by name, the pains
and gains a reliever addresses by text). Two things are resolved at load
time, because they depend on when and into which vendor the example goes:

- ``InDays(n)``: a date ``n`` days from today (due dates, recruitment deadline);
- ``"@channel"``, ``"@pam"``, …: a person of the vendor's staff picked by role
  (see ``PLACEHOLDER_ROLES``); left empty, or the row left out where a person
  is required, when the vendor has nobody in that role.

The content is written in English like a real company's program; the step
pages translate the labels around it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanali.core import audit
from kanali.core.models import Membership, Program
from kanali.core.roles import VENDOR_ROLES, Perm, Role
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.designer import selectors, services
from kanali.designer.steps import STEPS, get_step


@dataclass(frozen=True)
class InDays:
    """A date relative to the day the example is loaded."""

    days: int

    def resolve(self, today: date) -> date:
        return today + timedelta(days=self.days)


#: Staff placeholders and the roles that can fill them, in order of preference.
PLACEHOLDER_ROLES: dict[str, tuple[Role, ...]] = {
    "@owner": (Role.OWNER,),
    "@channel": (Role.CHANNEL_MANAGER, Role.OWNER),
    "@pam": (Role.PARTNER_ACCOUNT_MANAGER, Role.CHANNEL_MANAGER),
    "@finance": (Role.FINANCE,),
    "@support": (Role.SUPPORT_AGENT, Role.CHANNEL_MANAGER),
    "@trainer": (Role.TRAINER, Role.CHANNEL_MANAGER),
}
#: Fields whose value names a person of the vendor's staff.
PERSON_FIELDS = ("owner", "member")
#: Fields a row cannot do without; a row whose person cannot be found is left out.
REQUIRED_PERSON_FIELDS = ("member",)

ExampleStep = dict[str, dict[str, Any]]
Example = dict[str, ExampleStep]


def _step(design: dict[str, Any] | None = None, **collections: list[dict[str, Any]]) -> ExampleStep:
    return {"design": design or {}, "collections": dict(collections)}


def _texts(*texts: str) -> list[dict[str, Any]]:
    """Ranked canvas entries, most important first."""
    return [{"text": text, "rank": rank} for rank, text in enumerate(texts, start=1)]


def _answers(*pairs: tuple[str, list[str]]) -> list[dict[str, Any]]:
    """Pain relievers / gain creators with the pains or gains each addresses."""
    return [
        {"text": text, "rank": rank, "addresses": list(addresses)} for rank, (text, addresses) in enumerate(pairs, 1)
    ]


def _guide(*levels: str) -> str:
    return "\n".join(f"{score} – {text}" for score, text in enumerate(levels, start=1))


# --- A Greek B2B SaaS startup: cloud invoicing and ERP for SMEs -----------------

_SAAS_PAINS = (
    "Fines and rework when myDATA submissions are late or rejected",
    "Typing the same sale twice: e-shop, invoicing and accounting software",
    "Desktop software that only works from the office PC",
    "Chasing missing documents with the accountant at month end",
    "Paying for an upgrade every time a tax rule changes",
)
_SAAS_GAINS = (
    "Every invoice reported to myDATA automatically, as it is issued",
    "Sales, receivables and VAT due visible on the phone",
    "The accountant works on the same live books",
    "Up and running in days, not months",
    "A predictable monthly price",
)

SAAS: Example = {
    "value_proposition": _step(
        {
            "customer_segment": (
                "Greek small and medium businesses (5–100 employees) in retail, wholesale and professional "
                "services that issue invoices every day, must report them to AADE's myDATA platform and are "
                "advised by an external accounting office."
            )
        },
        canvas_job=_texts(
            "Issue compliant invoices and retail receipts every day",
            "Report every transaction to myDATA on time",
            "Know the cash position and who owes what",
            "Hand clean books to the accountant every month",
            "Keep stock right across the shop, the e-shop and the warehouse",
        ),
        canvas_pain=_texts(*_SAAS_PAINS),
        canvas_gain=_texts(*_SAAS_GAINS),
        canvas_product=_texts(
            "Cloud invoicing and receipts with built-in myDATA transmission",
            "Accountant workspace: one login for all client companies",
            "Inventory and warehouse module",
            "E-shop and POS connectors (WooCommerce, Shopify, card terminals)",
            "Open REST API and webhooks for partners' add-ons",
        ),
        canvas_pain_reliever=_answers(
            ("Each document is validated and sent to myDATA when issued, with automatic retries", [_SAAS_PAINS[0]]),
            ("Connectors import e-shop orders and POS receipts, so nothing is typed twice", [_SAAS_PAINS[1]]),
            ("Runs in any browser and on mobile, nothing to install", [_SAAS_PAINS[2]]),
            ("A shared document inbox between the business and its accounting office", [_SAAS_PAINS[3]]),
            ("Tax-rule changes ship as free updates to every subscription", [_SAAS_PAINS[4], _SAAS_PAINS[0]]),
        ),
        canvas_gain_creator=_answers(
            ("A myDATA status on every document, with the official mark (MARK) stored", [_SAAS_GAINS[0]]),
            ("A live dashboard of sales, receivables and VAT", [_SAAS_GAINS[1]]),
            ("Permissioned access for the accounting office, no exports", [_SAAS_GAINS[2]]),
            ("Guided set-up with data import from the common Greek desktop ERPs", [_SAAS_GAINS[3]]),
            ("Per-company monthly subscription with no set-up fee", [_SAAS_GAINS[4]]),
        ),
        canvas_alternative=_texts(
            "Desktop ERP installed and maintained by a local dealer",
            "AADE's free invoicing application (timologio) plus spreadsheets",
            "The accounting office keys in paper invoices",
            "International cloud accounting tools without Greek tax support",
        ),
    ),
    "sales_process": _step(
        stages=[
            {
                "position": 1,
                "name": "Compliance risk recognised",
                "customer_goal": "Find out whether myDATA and e-invoicing rules put the business at risk",
                "exit_criteria": "The owner agrees a change is needed and names who will decide",
                "activities": "The accountant or partner runs the 15-minute compliance check and shares the "
                "e-invoicing checklist.",
                "led_by": "partner",
                "win_probability": 10,
            },
            {
                "position": 2,
                "name": "Options compared",
                "customer_goal": "Compare compliant ways to invoice and report, including doing nothing",
                "exit_criteria": "Needs written down: documents per month, branches, e-shop or POS, users",
                "activities": "Discovery call; the partner fills in the needs sheet and sends the comparison guide.",
                "led_by": "partner",
                "win_probability": 20,
            },
            {
                "position": 3,
                "name": "Trial on own documents",
                "customer_goal": "See the business's own invoices issued and reported before committing",
                "exit_criteria": "Test documents accepted by myDATA's test environment in the trial company",
                "activities": "14-day trial set up by the partner; our pre-sales engineer joins for connectors.",
                "led_by": "both",
                "win_probability": 40,
            },
            {
                "position": 4,
                "name": "Business case agreed",
                "customer_goal": "Be sure of the price, the migration effort and who will support the business",
                "exit_criteria": "Quote accepted by the owner and a go-live date agreed",
                "activities": "The partner sends the quote from the price calculator and a migration plan.",
                "led_by": "partner",
                "win_probability": 70,
            },
            {
                "position": 5,
                "name": "Live and reporting",
                "customer_goal": "Switch over without a day of lost invoicing",
                "exit_criteria": "First live invoices have a MARK and the accounting office is connected",
                "activities": "Data import, user training, first-week check-in call by the partner.",
                "led_by": "both",
                "win_probability": 90,
            },
            {
                "position": 6,
                "name": "Adopted and growing",
                "customer_goal": "Get value every month and add modules when the business grows",
                "exit_criteria": "Active for 90 days; inventory or connector add-on discussed",
                "activities": "Quarterly usage review by the partner; renewal reminder 30 days ahead.",
                "led_by": "partner",
                "win_probability": 100,
            },
        ],
    ),
    "competitors": _step(
        competitors=[
            {
                "name": "Established Greek desktop ERP house",
                "audience": "Medium and large businesses; installs through a dealer network built over decades",
                "structure": "Authorised dealers with exclusive areas, annual targets and yearly licence renewals",
                "customer_benefits": "Deep functionality, local presence, familiar to accountants",
                "partner_relationship": "Close but hierarchical; dealers depend on services revenue and upgrades",
                "performance": "Strong installed base, slow to win new micro and small customers in the cloud",
                "channel_structure": "Two-tier: regional master dealers supply local dealers",
            },
            {
                "name": "International cloud accounting platform",
                "audience": "Micro businesses and freelancers; self-service sign-up",
                "structure": "Free partner listing for accountants, tiered by number of client subscriptions",
                "customer_benefits": "Polished product, app marketplace, low entry price",
                "partner_relationship": "Light: a directory, a partner console and online training",
                "performance": "Fast growth abroad, weak in Greece for lack of native myDATA and Greek support",
                "channel_structure": "Direct plus accountant referrals; no resellers",
            },
            {
                "name": "Low-cost e-invoicing provider",
                "audience": "Retailers needing a certified e-invoicing provider and POS link",
                "structure": "Referral fee per activated customer, no training or certification",
                "customer_benefits": "Cheap and quick to activate",
                "partner_relationship": "Transactional; partners are paid once and left alone",
                "performance": "Many sign-ups, high churn once customers need accounting features",
                "channel_structure": "Referral partners and POS technicians",
            },
        ],
    ),
    "partner_types": _step(
        partner_types=[
            {
                "key": "consultant",
                "name": "Accounting offices",
                "definition": "Accountants and tax advisers who keep the books of many small businesses.",
                "reason": "SMEs choose the software their accountant recommends; one office brings 20–200 "
                "companies and uses the accountant workspace every day.",
            },
            {
                "key": "msp",
                "name": "Managed IT providers",
                "definition": "IT companies that run their customers' systems for a monthly fee.",
                "reason": "They already bill SMEs monthly and can add invoicing, connectors and first-line "
                "support to the contract.",
            },
            {
                "key": "var",
                "name": "Value-added resellers",
                "definition": "Software resellers, often former desktop ERP dealers, who sell and implement.",
                "reason": "They handle migrations from desktop ERPs and larger multi-branch customers.",
            },
            {
                "key": "isv",
                "name": "Vertical software makers",
                "definition": "Software houses with products for pharmacies, hotels, workshops or clinics.",
                "reason": "Our API lets them add compliant invoicing to their product and sell it together.",
            },
            {
                "key": "referral",
                "name": "Referral partners",
                "definition": "Business associations, chambers and consultants who introduce customers.",
                "reason": "Low effort for them, trusted introductions for us; we sell and deliver.",
            },
        ],
    ),
    "success_factors": _step(
        success_factors=[
            {
                "key": "proof_of_concept",
                "name": "A trial on the customer's own documents",
                "rank": 1,
                "plan": "Trial companies pre-configured for myDATA's test environment; a trial playbook and a "
                "checklist in the partner portal; the pre-sales engineer joins the first three trials of every "
                "new partner.",
            },
            {
                "key": "good_support",
                "name": "Fast Greek-speaking support during migration",
                "rank": 2,
                "plan": "Partner hotline answered within two working hours; migration templates for the five "
                "most common desktop ERPs; a shared ticket queue with partners.",
            },
            {
                "key": "pricing_structure",
                "name": "Simple pricing with a recurring margin",
                "rank": 3,
                "plan": "One price per company and module; partners earn a share of every renewal, shown live "
                "in their commission statement.",
            },
            {
                "key": "product_knowledge",
                "name": "Certified partner consultants",
                "rank": 4,
                "plan": "Two-level certification (user, implementer) on the training platform; every partner "
                "needs one implementer before its first customer goes live.",
            },
            {
                "key": "custom",
                "name": "The accountant on board from day one",
                "rank": 5,
                "plan": "Invite the customer's accounting office in the trial; free accountant workspace; "
                "monthly webinars for accountants on myDATA changes.",
            },
        ],
    ),
    "motivators": _step(
        motivators=[
            {
                "kind": "money",
                "name": "Recurring revenue share",
                "delivery": "20% of subscription revenue in the first year and 15% for as long as the customer "
                "stays; paid quarterly.",
            },
            {
                "kind": "happy_customers",
                "name": "Customers who stop calling about compliance",
                "delivery": "Automatic myDATA reporting removes the top support call of accounting offices.",
            },
            {
                "kind": "training",
                "name": "Free implementer training",
                "delivery": "Self-paced courses plus a monthly live class in Athens and Thessaloniki.",
            },
            {
                "kind": "sales_tools",
                "name": "Compliance check and price calculator",
                "delivery": "Co-branded check-up form, quote calculator and case studies in the portal.",
            },
            {
                "kind": "leads",
                "name": "Leads from our website and AADE deadlines",
                "delivery": "Inbound leads routed by region and partner type within one working day.",
            },
            {
                "kind": "certifications",
                "name": "Certified implementer badge",
                "delivery": "Listed in the public partner directory with the badge and customer reviews.",
            },
        ],
    ),
    "program_elements": _step(
        {"training_enabled": True, "forum_enabled": True, "leads_enabled": True, "support_enabled": True},
    ),
    "responsibilities": _step(
        {
            "partner_expectations": (
                "Qualified leads within one working day, pre-sales help on trials, free training and "
                "certification, myDATA changes explained before they apply, a named partner account manager, "
                "and commission statements you can check line by line."
            ),
            "vendor_expectations": (
                "One certified implementer, honest forecasts of the trials you run, first-line support for your "
                "customers in Greek, our brand used as in the guidelines, and feedback from the field at the "
                "quarterly partner council."
            ),
        },
        responsibilities=[
            {
                "position": 1,
                "activity": "Deliver qualified leads",
                "assignee": "vendor",
                "lead": "",
                "expectation": "Leads routed within one working day with the customer's needs attached.",
            },
            {
                "position": 2,
                "activity": "Prospecting and first meetings",
                "assignee": "partner",
                "lead": "",
                "expectation": "Partners run the compliance check with their own clients and contacts.",
            },
            {
                "position": 3,
                "activity": "Product demonstrations",
                "assignee": "both",
                "lead": "partner",
                "expectation": "The partner demonstrates; we join for connectors and API questions.",
            },
            {
                "position": 4,
                "activity": "Pre-sales technical support",
                "assignee": "vendor",
                "lead": "",
                "expectation": "Answers within two working hours while a trial is running.",
            },
            {
                "position": 5,
                "activity": "Data migration from the old system",
                "assignee": "partner",
                "lead": "",
                "expectation": "Using our migration templates; we review the first two migrations.",
            },
            {
                "position": 6,
                "activity": "Implementation and onboarding of customers",
                "assignee": "partner",
                "lead": "",
                "expectation": "Go-live within 30 days of the signed quote.",
            },
            {
                "position": 7,
                "activity": "First-line customer support",
                "assignee": "partner",
                "lead": "",
                "expectation": "Customers get answers in Greek the same working day.",
            },
            {
                "position": 8,
                "activity": "Post-sales support",
                "assignee": "both",
                "lead": "vendor",
                "expectation": "We handle myDATA rejections and product faults; partners handle how-to questions.",
            },
            {
                "position": 9,
                "activity": "Training on the products",
                "assignee": "vendor",
                "lead": "",
                "expectation": "Courses updated within two weeks of every release.",
            },
            {
                "position": 10,
                "activity": "Pipeline forecasting",
                "assignee": "partner",
                "lead": "",
                "expectation": "Deals registered in the portal and updated every two weeks.",
            },
        ],
    ),
    "framework": _step(
        {
            "framework": "no_tiers",
            "ideal_partner": (
                "An accounting office or IT provider in Attica, Central Macedonia or Crete with 30+ SME clients, "
                "at least one person who enjoys software, and a habit of recommending tools rather than "
                "waiting to be asked."
            ),
            "performance_measures": (
                "Customers live in the last quarter, share of trials that go live, time from lead to first "
                "response, customer churn after 12 months, and the partner's satisfaction score. Reviewed with "
                "each partner every quarter; the top ten partners get first pick of leads."
            ),
        },
        tiers=[],
        tier_requirements=[],
    ),
    "capabilities": _step(
        capabilities=[
            {
                "area": "program",
                "title": "Operating plan: resources, timeline, organization, systems",
                "owner": "@channel",
                "due_date": InDays(-45),
                "status": "done",
                "asset_url": "",
            },
            {
                "area": "program",
                "title": "Legal partner agreement",
                "owner": "@owner",
                "due_date": InDays(-20),
                "status": "done",
                "asset_url": "",
            },
            {
                "area": "program",
                "title": "How leads are handled and what partners must do",
                "owner": "@pam",
                "due_date": InDays(10),
                "status": "in_progress",
                "asset_url": "",
            },
            {
                "area": "program",
                "title": "Pre-sales help for partners",
                "owner": "@support",
                "due_date": InDays(21),
                "status": "in_progress",
                "asset_url": "",
            },
            {
                "area": "program",
                "title": "Partner selection matrix",
                "owner": "@channel",
                "due_date": InDays(-10),
                "status": "done",
                "asset_url": "",
            },
            {
                "area": "program",
                "title": "Migration templates for the common desktop ERPs",
                "owner": "@support",
                "due_date": InDays(45),
                "status": "todo",
                "asset_url": "",
            },
            {
                "area": "marketing",
                "title": "External sales presentation",
                "owner": "@channel",
                "due_date": InDays(14),
                "status": "in_progress",
                "asset_url": "",
            },
            {
                "area": "marketing",
                "title": "Two-page program brochure",
                "owner": "@channel",
                "due_date": InDays(30),
                "status": "todo",
                "asset_url": "",
            },
            {
                "area": "marketing",
                "title": "Program web page",
                "owner": "@channel",
                "due_date": InDays(30),
                "status": "todo",
                "asset_url": "",
            },
            {
                "area": "training",
                "title": "Training platform with courses and tests",
                "owner": "@trainer",
                "due_date": InDays(60),
                "status": "in_progress",
                "asset_url": "",
            },
            {
                "area": "forum",
                "title": "Developer forum with guides and examples",
                "owner": "@support",
                "due_date": InDays(90),
                "status": "todo",
                "asset_url": "",
            },
        ],
    ),
    "kpis": _step(
        kpis=[
            {
                "key": "partner_activation_rate",
                "success_factor": "Certified partner consultants",
                "target": "60",
                "period": "quarter",
            },
            {
                "key": "time_to_first_deal",
                "success_factor": "A trial on the customer's own documents",
                "target": "60",
                "period": "quarter",
            },
            {
                "key": "win_rate",
                "success_factor": "A trial on the customer's own documents",
                "target": "35",
                "period": "quarter",
            },
            {
                "key": "lead_response_time",
                "success_factor": "Fast Greek-speaking support during migration",
                "target": "24",
                "period": "month",
            },
            {
                "key": "partner_revenue",
                "success_factor": "Simple pricing with a recurring margin",
                "target": "90000",
                "period": "quarter",
            },
            {
                "key": "certified_partners",
                "success_factor": "Certified partner consultants",
                "target": "25",
                "period": "year",
            },
            {
                "key": "partner_satisfaction",
                "success_factor": "The accountant on board from day one",
                "target": "80",
                "period": "year",
            },
        ],
    ),
    "marketing": _step(
        {
            "target_audience": (
                "Owners of accounting offices with 30+ SME clients, and managed IT providers serving retail and "
                "wholesale SMEs, in Attica, Central Macedonia and Crete."
            ),
            "sostac_situation": (
                "Mandatory e-invoicing and myDATA reporting force thousands of SMEs to change software; desktop "
                "ERP dealers are stretched and accountants are overloaded. Our brand is unknown outside Athens."
            ),
            "sostac_objectives": (
                "Recruit 30 active partners within 12 months; 60% of new customers through partners; "
                "partner-sourced recurring revenue of €90k a quarter by the end of year one."
            ),
            "sostac_strategy": (
                "Win accountants first: they influence the choice of every client. Position the program as "
                "'compliance without the headache' and give partners a recurring margin rather than one-off fees."
            ),
            "sostac_tactics": (
                "myDATA deadline webinars with accounting associations; a co-branded compliance check; case "
                "studies of three partner customers; LinkedIn ads to accountants; presence at regional chambers."
            ),
            "sostac_action": (
                "The channel manager runs two webinars a month; partner marketing produces the kit; the trainer "
                "schedules certification classes; every campaign uses a campaign code."
            ),
            "sostac_control": (
                "Leads, trials and go-lives per campaign code; partner activation rate and revenue reviewed "
                "monthly; the plan is revised every quarter, not more often."
            ),
            "race_notes": (
                "Reach: accountant associations and webinars. Act: the compliance check. Convert: the 14-day "
                "trial. Engage: quarterly reviews and the partner council."
            ),
            "five_s_notes": "",
            "seven_p_notes": (
                "Price: per company and module, with the partner margin built in. Place: through the partner's "
                "own client relationships. People: certified implementers."
            ),
        },
        campaigns=[
            {"code": "mydata-check", "name": "Free myDATA compliance check"},
            {"code": "accountants-webinar", "name": "Monthly webinar for accounting offices"},
            {"code": "eshop-connect", "name": "E-shop and POS connector bundle"},
        ],
    ),
    "selection": _step(
        {
            "ideal_partner_profile": (
                "An accounting office, managed IT provider or reseller with at least 30 SME customers in our "
                "target regions, someone able to run a software trial, a habit of monthly billing, and no "
                "exclusive contract with a desktop ERP house."
            ),
            "target_regions": ["GR-I", "GR-B", "GR-M", "GR-E", "CY-01", "CY-02"],
            "recruitment_target": 30,
            "recruitment_deadline": InDays(365),
        },
        criteria=[
            {
                "name": "SME customer base in our target regions",
                "weight": 30,
                "data_source": "region_overlap",
                "guide": _guide(
                    "Fewer than 10 SME customers, or none in our regions",
                    "10–30 customers, mostly outside our regions",
                    "30–60 customers in one target region",
                    "60–150 customers across our regions",
                    "More than 150 customers in our regions",
                ),
            },
            {
                "name": "Partner type we seek",
                "weight": 20,
                "data_source": "partner_type",
                "guide": _guide(
                    "Not one of our partner types",
                    "Referral only",
                    "Reseller without services",
                    "Managed IT provider or reseller with services",
                    "Accounting office with an IT-minded team",
                ),
            },
            {
                "name": "People able to implement software",
                "weight": 20,
                "data_source": "certified_people",
                "guide": _guide(
                    "Nobody",
                    "One person, part time",
                    "One person, dedicated",
                    "Two or more people, one certified",
                    "A team with certified implementers",
                ),
            },
            {
                "name": "Customer references",
                "weight": 15,
                "data_source": "references",
                "guide": _guide(
                    "None",
                    "One informal reference",
                    "Two references in any software",
                    "Three references, one in invoicing or ERP",
                    "Several ERP or invoicing references we can call",
                ),
            },
            {
                "name": "Commitment to a recurring model",
                "weight": 15,
                "data_source": "",
                "guide": _guide(
                    "Wants one-off fees only",
                    "Open to recurring fees, no experience",
                    "Some recurring contracts",
                    "Most revenue recurring",
                    "Recurring model and a plan to grow it with us",
                ),
            },
        ],
    ),
    "organization": _step(
        {"partner_council": True},
        channel_team=[
            {"role": "channel_chief", "member": "@channel"},
            {"role": "partner_account_manager", "member": "@pam"},
            {"role": "partner_marketing", "member": "@channel"},
            {"role": "enablement", "member": "@trainer"},
            {"role": "support", "member": "@support"},
        ],
    ),
}


# --- A European hardware SME: industrial IoT sensors ---------------------------

_HW_PAINS = (
    "Unplanned downtime from bearing, motor and pump failures",
    "Manual vibration rounds that miss early warning signs",
    "Cabling sensors into a running plant is costly and disruptive",
    "IT security worries about connecting machines to the cloud",
    "Pilots that never scale beyond one production line",
)
_HW_GAINS = (
    "Weeks of warning before a machine fails",
    "Retrofit in an afternoon without stopping production",
    "Alerts inside the systems maintenance already uses",
    "A clear return on investment within the first year",
)

HARDWARE: Example = {
    "value_proposition": _step(
        {
            "customer_segment": (
                "Mid-sized manufacturers, water utilities and facility operators in the DACH region, the Benelux "
                "and Northern Italy with one to ten sites and many rotating machines (motors, pumps, fans, "
                "compressors), where an hour of unplanned downtime costs thousands of euros."
            )
        },
        canvas_job=_texts(
            "Keep critical machines running",
            "Plan maintenance by condition instead of by calendar",
            "Report uptime and energy figures to management and auditors",
            "Connect shop-floor data to SCADA, MES and the maintenance system",
        ),
        canvas_pain=_texts(*_HW_PAINS),
        canvas_gain=_texts(*_HW_GAINS),
        canvas_product=_texts(
            "Wireless vibration and temperature sensor (IP68, ATEX variant, five-year battery)",
            "Industrial LoRaWAN gateway with edge analytics",
            "Condition-monitoring dashboard, in the cloud or on premises",
            "OPC UA and MQTT connectors for SCADA, MES and maintenance systems",
            "Pilot kit: ten sensors, one gateway and a three-month licence",
        ),
        canvas_pain_reliever=_answers(
            ("Edge analytics flag abnormal vibration automatically, every hour", [_HW_PAINS[0], _HW_PAINS[1]]),
            ("Magnet- or stud-mounted wireless sensors: no cabling, no shutdown", [_HW_PAINS[2]]),
            ("On-premises option; the gateway only opens encrypted outbound connections", [_HW_PAINS[3]]),
            ("A pilot-to-rollout playbook with a fixed price per additional machine", [_HW_PAINS[4]]),
        ),
        canvas_gain_creator=_answers(
            ("Models trained per machine class give early-warning alerts with a likely cause", [_HW_GAINS[0]]),
            ("Mounting kit and a one-page install guide for a retrofit by one technician", [_HW_GAINS[1]]),
            ("Alerts open work orders in the maintenance system through standard connectors", [_HW_GAINS[2]]),
            ("An ROI calculator and a pilot results report for the plant manager", [_HW_GAINS[3]]),
        ),
        canvas_alternative=_texts(
            "Portable vibration analysers and route-based rounds",
            "Wired online monitoring from large automation vendors",
            "Run to failure with spare parts on the shelf",
            "A home-made solution with generic IoT hardware",
        ),
    ),
    "sales_process": _step(
        stages=[
            {
                "position": 1,
                "name": "Downtime risk identified",
                "customer_goal": "Understand which machines cause the most costly stoppages",
                "exit_criteria": "Maintenance lead shares the list of critical assets and last year's downtime",
                "activities": "Partner runs the criticality workshop with the downtime cost worksheet.",
                "led_by": "partner",
                "win_probability": 10,
            },
            {
                "position": 2,
                "name": "Site assessed",
                "customer_goal": "Know whether wireless monitoring works on this site and what it would cost",
                "exit_criteria": "Site survey done: radio coverage, mounting points, IT and OT contacts",
                "activities": "Partner's technician surveys the site; our field engineer reviews the report.",
                "led_by": "partner",
                "win_probability": 25,
            },
            {
                "position": 3,
                "name": "Pilot running",
                "customer_goal": "See real alerts on the plant's own machines before investing",
                "exit_criteria": "Pilot kit installed on 5–10 machines with success criteria signed",
                "activities": "Pilot kit shipped from the partner's demo pool; weekly check-ins for 8–12 weeks.",
                "led_by": "both",
                "win_probability": 45,
            },
            {
                "position": 4,
                "name": "Pilot results reviewed",
                "customer_goal": "Convince the plant manager and finance with evidence",
                "exit_criteria": "Pilot report accepted and rollout scope agreed",
                "activities": "Joint results meeting; ROI calculator filled in with the plant's figures.",
                "led_by": "both",
                "win_probability": 65,
            },
            {
                "position": 5,
                "name": "Rollout ordered",
                "customer_goal": "Buy with confidence in delivery dates, installation and support",
                "exit_criteria": "Purchase order received and installation plan scheduled",
                "activities": "Partner quotes from the distributor price list; deal registered for protection.",
                "led_by": "partner",
                "win_probability": 85,
            },
            {
                "position": 6,
                "name": "Deployed and monitored",
                "customer_goal": "Avoid stoppages and prove it to management",
                "exit_criteria": "All machines reporting; first quarterly review held",
                "activities": "Installation, connector set-up, maintenance team training, quarterly reviews.",
                "led_by": "partner",
                "win_probability": 100,
            },
        ],
    ),
    "competitors": _step(
        competitors=[
            {
                "name": "Large automation vendor's monitoring line",
                "audience": "Large plants already standardised on the vendor's automation systems",
                "structure": "Certified solution partners in several levels, strict certification and targets",
                "customer_benefits": "One supplier for automation and monitoring; global service",
                "partner_relationship": "Formal and demanding; partners invest heavily to keep their status",
                "performance": "Dominant in large plants, too expensive and complex for mid-sized sites",
                "channel_structure": "Direct key accounts plus solution partners; distributors for components",
            },
            {
                "name": "Wireless sensor start-up",
                "audience": "Maintenance managers reached through online marketing",
                "structure": "Referral and reseller agreements, no levels, generous first-year commission",
                "customer_benefits": "Low price per sensor and a modern app",
                "partner_relationship": "Enthusiastic but thin: little training and no field support",
                "performance": "Quick pilots, many stalled at one line; battery life complaints",
                "channel_structure": "Mostly direct, with a few resellers per country",
            },
            {
                "name": "Portable analyser and service specialist",
                "audience": "Plants that outsource condition monitoring as periodic measurements",
                "structure": "Own service technicians plus regional service partners",
                "customer_benefits": "Expert analysis reports without owning any system",
                "partner_relationship": "Subcontracting: partners deliver the rounds under the specialist's brand",
                "performance": "Trusted, but monthly rounds miss fast-developing faults",
                "channel_structure": "Direct service organisation with subcontractors",
            },
        ],
    ),
    "partner_types": _step(
        partner_types=[
            {
                "key": "distributor",
                "name": "Electronics and automation distributors",
                "definition": "Stock our sensors and gateways and supply resellers and integrators with credit.",
                "reason": "Reach the hundreds of small integrators we cannot serve directly; handle stock, "
                "logistics and credit in each country.",
            },
            {
                "key": "si",
                "name": "Automation system integrators",
                "definition": "Engineer and install automation, SCADA and MES projects in plants.",
                "reason": "They are in the plants already and connect our data to SCADA and MES.",
            },
            {
                "key": "var",
                "name": "Industrial value-added resellers",
                "definition": "Sell drives, motors and maintenance equipment, with installation services.",
                "reason": "They know every maintenance manager in their region and sell pilot kits easily.",
            },
            {
                "key": "oem",
                "name": "Machine and pump builders (OEM)",
                "definition": "Build machines and fit our sensors at the factory under their own brand.",
                "reason": "Monitoring built into new machines creates recurring service revenue for both.",
            },
            {
                "key": "msp",
                "name": "Maintenance service providers",
                "definition": "Run condition monitoring for plants as a monthly service.",
                "reason": "They turn our system into a subscription service for plants without their own experts.",
            },
        ],
    ),
    "success_factors": _step(
        success_factors=[
            {
                "key": "proof_of_concept",
                "name": "A successful on-site pilot",
                "rank": 1,
                "plan": "Demo kit pool at every distributor; pilot playbook with success criteria; our field "
                "engineer joins each partner's first two pilots.",
            },
            {
                "key": "project_management",
                "name": "Professional installation and rollout",
                "rank": 2,
                "plan": "Installation certification for partner technicians; rollout templates; a named "
                "project contact on our side for rollouts above 100 sensors.",
            },
            {
                "key": "product_knowledge",
                "name": "Vibration-analysis know-how at the partner",
                "rank": 3,
                "plan": "Three-day certification course with a final test; advanced course for gold partners.",
            },
            {
                "key": "good_support",
                "name": "Second-line technical support within one working day",
                "rank": 4,
                "plan": "Partner support queue with a one-working-day response target and remote diagnostics.",
            },
            {
                "key": "pricing_structure",
                "name": "Distributor pricing that protects reseller margins",
                "rank": 5,
                "plan": "Published price list, tier discounts and deal registration protection for 90 days.",
            },
        ],
    ),
    "motivators": _step(
        motivators=[
            {
                "kind": "money",
                "name": "Tier discounts and rollout margins",
                "delivery": "20–35% discount by tier, plus a bonus on registered deals.",
            },
            {
                "kind": "happy_customers",
                "name": "Plants that avoid stoppages",
                "delivery": "Pilot reports show customers the failures caught; partners keep the service contract.",
            },
            {
                "kind": "training",
                "name": "Vibration-analysis academy",
                "delivery": "Certification courses in German, English and Italian, online and at our lab.",
            },
            {
                "kind": "sales_tools",
                "name": "Demo kits and ROI calculator",
                "delivery": "Demo kits at cost, ROI calculator, case studies and trade-fair material.",
            },
            {
                "kind": "leads",
                "name": "Leads from trade fairs and the website",
                "delivery": "Routed by region and industry to the best-fit certified partner.",
            },
            {
                "kind": "certifications",
                "name": "Certified installer and analyst",
                "delivery": "Personal certificates and a partner badge for tenders and the partner directory.",
            },
            {
                "kind": "other",
                "name": "Co-op marketing funds",
                "delivery": "Silver and gold partners accrue funds for fairs and campaigns, claimed with proof.",
            },
        ],
    ),
    "program_elements": _step(
        {"training_enabled": True, "forum_enabled": True, "leads_enabled": True, "support_enabled": True},
    ),
    "responsibilities": _step(
        {
            "partner_expectations": (
                "Demo kits at cost, pre-sales engineering on pilots, training and certification, second-line "
                "support within one working day, leads from fairs and the website, protected registered deals "
                "and co-op funds from silver upwards."
            ),
            "vendor_expectations": (
                "Certified technicians, a forecast every month, deals registered before quoting, installations "
                "done to our guidelines, first-line support for your customers and a seat at the partner council."
            ),
        },
        responsibilities=[
            {
                "position": 1,
                "activity": "Deliver qualified leads",
                "assignee": "vendor",
                "lead": "",
                "expectation": "Leads routed within two working days, with the site's machines and contact.",
            },
            {
                "position": 2,
                "activity": "Prospecting and first meetings",
                "assignee": "partner",
                "lead": "",
                "expectation": "Criticality workshops with plants in the partner's region.",
            },
            {
                "position": 3,
                "activity": "Product demonstrations",
                "assignee": "both",
                "lead": "partner",
                "expectation": "The partner demonstrates with its demo kit; we join for large accounts.",
            },
            {
                "position": 4,
                "activity": "Pre-sales technical support",
                "assignee": "vendor",
                "lead": "",
                "expectation": "Field engineer reviews every site survey and joins the first pilots.",
            },
            {
                "position": 5,
                "activity": "Pilot installation and success criteria",
                "assignee": "both",
                "lead": "partner",
                "expectation": "Success criteria signed by the customer before the kit is installed.",
            },
            {
                "position": 6,
                "activity": "Implementation and onboarding of customers",
                "assignee": "partner",
                "lead": "",
                "expectation": "Installation by certified technicians following our guidelines.",
            },
            {
                "position": 7,
                "activity": "First-line customer support",
                "assignee": "partner",
                "lead": "",
                "expectation": "Customers reach the partner in their language within one working day.",
            },
            {
                "position": 8,
                "activity": "Post-sales support",
                "assignee": "both",
                "lead": "vendor",
                "expectation": "Firmware, hardware replacement and analytics are ours; on-site work is the partner's.",
            },
            {
                "position": 9,
                "activity": "Certification program",
                "assignee": "vendor",
                "lead": "",
                "expectation": "Courses every month; certificates valid for two years.",
            },
            {
                "position": 10,
                "activity": "Stock and logistics for resellers",
                "assignee": "partner",
                "lead": "",
                "expectation": "Distributors keep four weeks of stock and ship within two working days.",
            },
            {
                "position": 11,
                "activity": "Pipeline forecasting",
                "assignee": "partner",
                "lead": "",
                "expectation": "Monthly forecast; deals registered before quoting.",
            },
        ],
    ),
    "framework": _step(
        {
            "framework": "tiers",
            "ideal_partner": (
                "An integrator or reseller with its own field technicians, industrial customers in our regions and "
                "experience with maintenance teams."
            ),
            "performance_measures": (
                "Revenue won, deals won and registered, certified people, lead acceptance and customer "
                "satisfaction over the last 12 months, evaluated every quarter."
            ),
        },
        tiers=[
            {
                "rank": 1,
                "name": "Bronze",
                "description": "Registered partners starting with pilots.",
                "commission_bonus_pct": "0.00",
                "fund_accrual_pct": "0.00",
                "lead_priority_weight": "1.00",
                "discount_pct": "20.00",
                "other_benefits": "Demo kit at cost, online training, partner portal.",
            },
            {
                "rank": 2,
                "name": "Silver",
                "description": "Partners with repeat projects and certified staff.",
                "commission_bonus_pct": "2.00",
                "fund_accrual_pct": "2.00",
                "lead_priority_weight": "1.50",
                "discount_pct": "28.00",
                "other_benefits": "Co-op funds, leads in the partner's region, listing in the directory.",
            },
            {
                "rank": 3,
                "name": "Gold",
                "description": "Strategic partners who run large rollouts.",
                "commission_bonus_pct": "4.00",
                "fund_accrual_pct": "3.00",
                "lead_priority_weight": "2.50",
                "discount_pct": "35.00",
                "other_benefits": "Named partner account manager, joint trade-fair stand, early access to "
                "new hardware, seat on the partner council.",
            },
        ],
        tier_requirements=[
            {"tier": "Bronze", "metric": "certified_people", "threshold": "1"},
            {"tier": "Silver", "metric": "revenue_won_12m", "threshold": "75000"},
            {"tier": "Silver", "metric": "deals_won_12m", "threshold": "4"},
            {"tier": "Silver", "metric": "certified_people", "threshold": "2"},
            {"tier": "Silver", "metric": "lead_acceptance_rate", "threshold": "70"},
            {"tier": "Gold", "metric": "revenue_won_12m", "threshold": "250000"},
            {"tier": "Gold", "metric": "deals_won_12m", "threshold": "10"},
            {"tier": "Gold", "metric": "registered_deals_12m", "threshold": "15"},
            {"tier": "Gold", "metric": "certified_people", "threshold": "4"},
            {"tier": "Gold", "metric": "customer_satisfaction", "threshold": "85"},
        ],
    ),
    "capabilities": _step(
        capabilities=[
            {
                "area": "program",
                "title": "Operating plan: resources, timeline, organization, systems",
                "owner": "@channel",
                "due_date": InDays(-60),
                "status": "done",
                "asset_url": "",
            },
            {
                "area": "program",
                "title": "Legal partner agreement",
                "owner": "@owner",
                "due_date": InDays(-30),
                "status": "done",
                "asset_url": "",
            },
            {
                "area": "program",
                "title": "Co-op fund structure",
                "owner": "@finance",
                "due_date": InDays(-5),
                "status": "done",
                "asset_url": "",
            },
            {
                "area": "program",
                "title": "Internal handbook",
                "owner": "@channel",
                "due_date": InDays(20),
                "status": "in_progress",
                "asset_url": "",
            },
            {
                "area": "program",
                "title": "Demo kit pool at every distributor",
                "owner": "@pam",
                "due_date": InDays(30),
                "status": "in_progress",
                "asset_url": "",
            },
            {
                "area": "program",
                "title": "Program roadmap presentation",
                "owner": "@channel",
                "due_date": InDays(45),
                "status": "todo",
                "asset_url": "",
            },
            {
                "area": "marketing",
                "title": "Partner and training certificates",
                "owner": "@trainer",
                "due_date": InDays(-15),
                "status": "done",
                "asset_url": "",
            },
            {
                "area": "marketing",
                "title": "Two-page program brochure",
                "owner": "@channel",
                "due_date": InDays(21),
                "status": "in_progress",
                "asset_url": "",
            },
            {
                "area": "marketing",
                "title": "Partner portal",
                "owner": "@channel",
                "due_date": InDays(14),
                "status": "in_progress",
                "asset_url": "",
            },
            {
                "area": "training",
                "title": "Training platform with courses and tests",
                "owner": "@trainer",
                "due_date": InDays(40),
                "status": "in_progress",
                "asset_url": "",
            },
            {
                "area": "forum",
                "title": "Developer forum with guides and examples",
                "owner": "@support",
                "due_date": InDays(75),
                "status": "todo",
                "asset_url": "",
            },
        ],
    ),
    "kpis": _step(
        kpis=[
            {
                "key": "partner_pipeline",
                "success_factor": "A successful on-site pilot",
                "target": "1500000",
                "period": "quarter",
            },
            {
                "key": "partner_revenue",
                "success_factor": "Distributor pricing that protects reseller margins",
                "target": "600000",
                "period": "quarter",
            },
            {
                "key": "win_rate",
                "success_factor": "A successful on-site pilot",
                "target": "40",
                "period": "quarter",
            },
            {
                "key": "time_to_first_deal",
                "success_factor": "Professional installation and rollout",
                "target": "120",
                "period": "year",
            },
            {
                "key": "certified_partners",
                "success_factor": "Vibration-analysis know-how at the partner",
                "target": "30",
                "period": "year",
            },
            {
                "key": "lead_acceptance_rate",
                "success_factor": "A successful on-site pilot",
                "target": "75",
                "period": "quarter",
            },
            {
                "key": "fund_roi",
                "success_factor": "Distributor pricing that protects reseller margins",
                "target": "4",
                "period": "year",
            },
            {
                "key": "partner_satisfaction",
                "success_factor": "Second-line technical support within one working day",
                "target": "80",
                "period": "year",
            },
        ],
    ),
    "marketing": _step(
        {
            "target_audience": (
                "Owners and sales managers of automation integrators and industrial resellers with field "
                "technicians, and the product managers of electronics distributors, in Germany, Austria, "
                "Switzerland, the Netherlands and Northern Italy."
            ),
            "sostac_situation": (
                "Predictive maintenance is on every plant manager's agenda but most mid-sized plants still rely "
                "on manual rounds; integrators lack a product that is easy to pilot. We sell 70% direct today."
            ),
            "sostac_objectives": (
                "40 active partners in 18 months; 60% of revenue through partners within two years; every "
                "distributor with a demo kit pool within six months."
            ),
            "sostac_strategy": (
                "Two-tier distribution: distributors for reach and credit, certified integrators and resellers "
                "for pilots and rollouts. Lead with the pilot kit and a protected, tiered margin."
            ),
            "sostac_tactics": (
                "Joint stands at Hannover Messe and SPS; retrofit roadshows with distributors; pilot kit "
                "promotions; case studies from pump and food plants; co-op funded local events."
            ),
            "sostac_action": (
                "Partner marketing runs the fair calendar and the kit; distributors run roadshows; partner "
                "account managers plan co-op activities with each silver and gold partner each quarter."
            ),
            "sostac_control": (
                "Leads, pilots and orders per campaign code; co-op fund ROI; quarterly business reviews with "
                "every gold partner."
            ),
            "race_notes": (
                "Reach: trade fairs and distributor newsletters. Act: ROI calculator. Convert: the pilot kit. "
                "Engage: quarterly reviews and rollouts."
            ),
            "five_s_notes": (
                "Sell: pilot kits. Serve: remote diagnostics. Speak: user group for maintenance engineers. "
                "Save: no-cabling retrofit. Sizzle: live failure demos on the fair stand."
            ),
            "seven_p_notes": (
                "Product: sensor, gateway and dashboard as one kit. Price: tier discounts. Place: distributors "
                "and integrators. Promotion: fairs and co-op campaigns. People: certified technicians. "
                "Process: pilot playbook. Physical evidence: pilot results report."
            ),
        },
        campaigns=[
            {"code": "hannover-messe", "name": "Joint stand at Hannover Messe"},
            {"code": "retrofit-roadshow", "name": "Retrofit roadshow with distributors"},
            {"code": "pump-pilot-kit", "name": "Pilot kit promotion for pump stations"},
            {"code": "sps-fair", "name": "SPS fair in Nuremberg"},
        ],
    ),
    "selection": _step(
        {
            "ideal_partner_profile": (
                "An automation integrator or industrial reseller with 10–200 employees, its own field "
                "technicians, at least 20 industrial customers in our target regions, experience with "
                "maintenance teams and no exclusive contract with a competing monitoring vendor."
            ),
            "target_regions": ["DE-BY", "DE-BW", "DE-NW", "DE-NI", "AT-6", "AT-9", "CH-ZH", "NL-NB", "NL-ZH", "IT-25"],
            "recruitment_target": 40,
            "recruitment_deadline": InDays(540),
        },
        criteria=[
            {
                "name": "Industrial customers in our target regions",
                "weight": 25,
                "data_source": "region_overlap",
                "guide": _guide(
                    "No industrial customers in our regions",
                    "A few customers, outside our core industries",
                    "20–50 industrial customers in one region",
                    "50–150 industrial customers across our regions",
                    "More than 150, including maintenance contracts",
                ),
            },
            {
                "name": "Automation and OT integration skills",
                "weight": 25,
                "data_source": "certified_people",
                "guide": _guide(
                    "No automation skills",
                    "Electrical installation only",
                    "PLC and drives know-how",
                    "SCADA or MES projects delivered",
                    "Certified OT integration team",
                ),
            },
            {
                "name": "Field installation capacity",
                "weight": 20,
                "data_source": "team_size",
                "guide": _guide(
                    "No field technicians",
                    "One technician",
                    "Two to four technicians",
                    "Five to ten technicians",
                    "More than ten technicians across regions",
                ),
            },
            {
                "name": "Partner type we seek",
                "weight": 10,
                "data_source": "partner_type",
                "guide": _guide(
                    "Not one of our types",
                    "Referral only",
                    "Reseller without services",
                    "Integrator or reseller with services",
                    "Integrator with maintenance service contracts",
                ),
            },
            {
                "name": "Financial strength",
                "weight": 10,
                "data_source": "revenue_band",
                "guide": _guide(
                    "Under €0.5m revenue",
                    "€0.5–2m",
                    "€2–10m",
                    "€10–50m",
                    "Over €50m",
                ),
            },
            {
                "name": "Predictive-maintenance references",
                "weight": 10,
                "data_source": "references",
                "guide": _guide(
                    "None",
                    "Monitoring mentioned but no project",
                    "One project with another vendor",
                    "Several projects with references",
                    "Running monitoring as a service today",
                ),
            },
        ],
    ),
    "organization": _step(
        {"partner_council": True},
        channel_team=[
            {"role": "channel_chief", "member": "@channel"},
            {"role": "channel_chief", "member": "@owner"},
            {"role": "partner_account_manager", "member": "@pam"},
            {"role": "partner_marketing", "member": "@channel"},
            {"role": "enablement", "member": "@trainer"},
            {"role": "support", "member": "@support"},
        ],
    ),
}

EXAMPLES: dict[str, Example] = {"saas": SAAS, "hardware": HARDWARE}

EXAMPLE_LABELS: dict[str, str | Promise] = {
    "saas": gettext_lazy("B2B software startup selling through accountants, IT providers and resellers"),
    "hardware": gettext_lazy("Industrial hardware maker selling through distributors and integrators"),
}


# --- Loading ------------------------------------------------------------------


def _staff_by_placeholder(program: Program) -> dict[str, str]:
    """Each placeholder's e-mail in this vendor: the first person (by e-mail) of the first role present."""
    people: dict[str, str] = {}
    for membership in (
        Membership.objects.filter(organization_id=program.vendor_id, role__in=VENDOR_ROLES)
        .select_related("user")
        .order_by("user__email")
    ):
        people.setdefault(membership.role, membership.user.email)
    return {
        placeholder: next((people[role] for role in roles if role in people), "")
        for placeholder, roles in PLACEHOLDER_ROLES.items()
    }


def _resolve(value: Any, *, today: date, staff: dict[str, str]) -> Any:
    if isinstance(value, InDays):
        return value.resolve(today)
    if isinstance(value, str) and value in staff:
        return staff[value]
    return copy.deepcopy(value)


def _rows(rows: list[dict[str, Any]], *, today: date, staff: dict[str, str], factors: set[str]) -> list[dict[str, Any]]:
    resolved = []
    for row in rows:
        values = {name: _resolve(value, today=today, staff=staff) for name, value in row.items()}
        if any(name in values and not values[name] for name in REQUIRED_PERSON_FIELDS):
            continue  # nobody on the staff can take this role
        if values.get("success_factor") and values["success_factor"] not in factors:
            values["success_factor"] = ""  # its step was not loaded; the vendor links it later
        resolved.append(values)
    return resolved


@transaction.atomic
def load_example(*, workspace: Workspace, program: Program, example: str, step: str | None = None) -> None:
    """Replace one step of ``program``'s design (or every step) with an example's content.

    Steps and their collections are applied in order, so tiers exist before
    their requirements, pains and gains before what addresses them, and
    success factors before the KPIs tied to them. Rows match existing ones by
    their natural key, so loading twice changes nothing and keeps ids.
    """
    require(workspace, Perm.MANAGE_PROGRAMS)
    content = EXAMPLES.get(example)
    if content is None:
        raise ValidationError({"example": _("There is no example called “%(name)s”.") % {"name": example}})
    if step is None:
        steps = STEPS
    else:
        one = get_step(step)
        if one is None:
            raise ValidationError({"step": _("There is no step called “%(name)s”.") % {"name": step}})
        steps = (one,)
    today = timezone.localdate()
    staff = _staff_by_placeholder(program)
    for current in steps:
        data = content[current.key]
        values = {name: _resolve(value, today=today, staff=staff) for name, value in data["design"].items()}
        if values:
            services.design_update(workspace=workspace, program=program, values=values)
        for collection in current.collections:
            if collection.key not in data["collections"]:
                continue
            factors: set[str] = set()
            if "success_factor" in collection.fields:
                factors = set(selectors.success_factors(program).values_list("name", flat=True))
            rows = _rows(data["collections"][collection.key], today=today, staff=staff, factors=factors)
            services.items_replace(workspace=workspace, program=program, collection=collection, rows=rows)
    audit.record(
        workspace=workspace,
        action="design.example_load",
        obj=program,
        changes={"example": [None, example], "step": [None, step or "all"]},
    )
