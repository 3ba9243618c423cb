"""Is the program ready? Per-step completeness, and the success factors and failure points of a channel program.

Every rule reads the design loaded once by :func:`kanali.designer.snapshot.load_design`,
so the readiness page costs a fixed number of queries however long the lists are.
Where no data can tell (yet), a check says so ("unknown") rather than guessing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from kanali.core.models import Program
from kanali.designer import selectors
from kanali.designer.catalogues import ChannelRoleKind, Side
from kanali.designer.models import Capability, Design, DesignVersion
from kanali.designer.snapshot import DesignData, load_design
from kanali.designer.steps import STEPS, Step

#: Seed advice: give a change at least this long before judging it (sales appear after ~90 days).
MIN_DAYS_BETWEEN_VERSIONS = 90
#: A published design untouched for longer than this has stopped improving.
STALE_AFTER_DAYS = 180


def names(items: Iterable[str], limit: int = 3) -> str:
    """``a, b, c and 2 more``: enough to find the rows without flooding the page."""
    items = list(items)
    shown = ", ".join(f"“{item}”" for item in items[:limit])
    rest = len(items) - limit
    if rest > 0:
        return ngettext("%(shown)s and %(n)d more", "%(shown)s and %(n)d more", rest) % {"shown": shown, "n": rest}
    return shown


# --- Steps ------------------------------------------------------------------


@dataclass(frozen=True)
class StepStatus:
    step: Step
    complete: bool
    #: What is missing, as sentences in the active language; empty when complete.
    reason: str = ""

    @property
    def key(self) -> str:
        return self.step.key


def _value_proposition(d: DesignData) -> list[str]:
    missing = []
    if not d.rows["canvas_job"]:
        missing.append(_("Add at least one customer job."))
    if not d.rows["canvas_pain"]:
        missing.append(_("Add at least one pain."))
    if not d.rows["canvas_gain"]:
        missing.append(_("Add at least one gain."))
    if not d.rows["canvas_product"]:
        missing.append(_("Add at least one product or service."))
    if not d.rows["canvas_pain_reliever"] and not d.rows["canvas_gain_creator"]:
        missing.append(_("Add at least one pain reliever or gain creator."))
    return missing


def _sales_process(d: DesignData) -> list[str]:
    return [] if len(d.rows["stages"]) >= 2 else [_("Define at least two stages of the customer's buying journey.")]


def _competitors(d: DesignData) -> list[str]:
    return [] if d.rows["competitors"] else [_("Benchmark at least one competitor's partner program.")]


def _partner_types(d: DesignData) -> list[str]:
    if not d.rows["partner_types"]:
        return [_("Choose at least one partner type.")]
    if not any(t.reason.strip() for t in d.rows["partner_types"]):
        return [_("Say why at least one partner type fits your customers.")]
    return []


def _success_factors(d: DesignData) -> list[str]:
    if not d.rows["success_factors"]:
        return [_("List at least one success factor.")]
    if not any(f.plan.strip() for f in d.rows["success_factors"]):
        return [_("Write a plan for at least one success factor.")]
    return []


def _motivators(d: DesignData) -> list[str]:
    return [] if d.rows["motivators"] else [_("Choose at least one motivator.")]


def _program_elements(d: DesignData) -> list[str]:
    on = d.design.training_enabled or d.design.forum_enabled or d.design.leads_enabled or d.design.support_enabled
    return [] if on else [_("Switch on at least one program element.")]


def _shared_without_lead(d: DesignData) -> list[str]:
    return [r.activity for r in d.rows["responsibilities"] if r.assignee == Side.BOTH and not r.lead]


def _responsibilities(d: DesignData) -> list[str]:
    rows = d.rows["responsibilities"]
    missing = []
    if not any(r.assignee in (Side.VENDOR, Side.BOTH) for r in rows):
        missing.append(_("Assign at least one activity to your company."))
    if not any(r.assignee in (Side.PARTNER, Side.BOTH) for r in rows):
        missing.append(_("Assign at least one activity to the partner."))
    shared = _shared_without_lead(d)
    if shared:
        missing.append(_("Say who leads each shared activity: %(items)s.") % {"items": names(shared)})
    return missing


def _framework(d: DesignData) -> list[str]:
    design = d.design
    if design.framework == Design.Framework.TIERS:
        tiers = d.rows["tiers"]
        if not tiers:
            return [_("Add at least one tier.")]
        with_requirements = {r.tier_id for r in d.rows["tier_requirements"]}
        bare = [t.name for t in tiers if t.pk not in with_requirements]
        if bare:
            return [_("Give every tier at least one requirement: %(items)s.") % {"items": names(bare)}]
        return []
    missing = []
    if not design.ideal_partner.strip():
        missing.append(_("Describe the ideal partner."))
    if not design.performance_measures.strip():
        missing.append(_("Say how partner performance is measured."))
    return missing


def _capabilities(d: DesignData) -> list[str]:
    rows = d.rows["capabilities"]
    if not rows:
        return [_("Add at least one item to the internal to-do list.")]
    incomplete = [c.title for c in rows if c.owner_id is None or c.due_date is None]
    if incomplete:
        return [_("Give every item an owner and a due date: %(items)s.") % {"items": names(incomplete)}]
    return []


def _kpis(d: DesignData) -> list[str]:
    if not d.rows["kpis"]:
        return [_("Choose at least one KPI.")]
    if not any(k.target is not None for k in d.rows["kpis"]):
        return [_("Set a target for at least one KPI.")]
    return []


def _marketing(d: DesignData) -> list[str]:
    design = d.design
    required = (
        (design.target_audience, _("Describe the target audience.")),
        (design.sostac_situation, _("Describe the situation (SOSTAC).")),
        (design.sostac_objectives, _("Set the objectives (SOSTAC).")),
        (design.sostac_strategy, _("Describe the strategy (SOSTAC).")),
    )
    return [message for value, message in required if not value.strip()]


def _selection(d: DesignData) -> list[str]:
    missing = []
    if not d.rows["criteria"]:
        missing.append(_("Add at least one selection criterion."))
    if not d.design.recruitment_target:
        missing.append(_("Set a recruitment target."))
    return missing


def _organization(d: DesignData) -> list[str]:
    chief = any(r.role == ChannelRoleKind.CHANNEL_CHIEF for r in d.rows["channel_team"])
    return [] if chief else [_("Assign a channel chief.")]


RULES: dict[str, Callable[[DesignData], list[str]]] = {
    "value_proposition": _value_proposition,
    "sales_process": _sales_process,
    "competitors": _competitors,
    "partner_types": _partner_types,
    "success_factors": _success_factors,
    "motivators": _motivators,
    "program_elements": _program_elements,
    "responsibilities": _responsibilities,
    "framework": _framework,
    "capabilities": _capabilities,
    "kpis": _kpis,
    "marketing": _marketing,
    "selection": _selection,
    "organization": _organization,
}


def step_status(program: Program, *, data: DesignData | None = None) -> list[StepStatus]:
    """Each of the fourteen steps, complete or not, with what is missing."""
    data = data or load_design(program)
    statuses = []
    for step in STEPS:
        missing = RULES[step.key](data)
        statuses.append(StepStatus(step=step, complete=not missing, reason=" ".join(missing)))
    return statuses


def missing_required(statuses: list[StepStatus]) -> list[StepStatus]:
    """The steps publishing needs that are not complete yet."""
    return [s for s in statuses if s.step.required and not s.complete]


# --- Success factors and failure points ---------------------------------------


class CheckStatus(StrEnum):
    OK = "ok"
    WARNING = "warning"
    UNKNOWN = "unknown"


class CheckKind(StrEnum):
    SUCCESS_FACTOR = "success_factor"
    FAILURE_POINT = "failure_point"


@dataclass(frozen=True)
class Check:
    key: str
    kind: CheckKind
    title: str
    status: CheckStatus
    explanation: str
    #: The step that fixes it; empty when the fix is about versions, not a step.
    step_key: str = ""


@dataclass
class _Context:
    data: DesignData
    versions: list[DesignVersion]  # latest first, at most two
    today: date

    def rows(self, key: str) -> list[Any]:
        return self.data.rows[key]


def _ok(explanation: str, step_key: str = "") -> tuple[CheckStatus, str, str]:
    return CheckStatus.OK, explanation, step_key


def _warn(explanation: str, step_key: str = "") -> tuple[CheckStatus, str, str]:
    return CheckStatus.WARNING, explanation, step_key


def _unknown(explanation: str, step_key: str = "") -> tuple[CheckStatus, str, str]:
    return CheckStatus.UNKNOWN, explanation, step_key


def _customer_at_centre(c: _Context) -> tuple[CheckStatus, str, str]:
    pains, gains = c.rows("canvas_pain"), c.rows("canvas_gain")
    if not pains or not gains:
        return _warn(_("The canvas names no customer pains or gains yet."), "value_proposition")
    addressed = {
        target.pk
        for item in c.rows("canvas_pain_reliever") + c.rows("canvas_gain_creator")
        for target in item.addresses.all()
    }
    open_items = [item.text for item in pains + gains if item.pk not in addressed]
    if open_items:
        return _warn(
            _("Nothing in your value map addresses: %(items)s.") % {"items": names(open_items)}, "value_proposition"
        )
    stages = c.rows("stages")
    if not stages:
        return _warn(_("The sales process has no stages yet."), "sales_process")
    goalless = [s.name for s in stages if not s.customer_goal.strip()]
    if goalless:
        return _warn(
            _("These sales stages do not state the customer's goal: %(items)s.") % {"items": names(goalless)},
            "sales_process",
        )
    return _ok(
        _("Every pain and gain is addressed and every sales stage states what the customer wants."), "value_proposition"
    )


def _right_channel(c: _Context) -> tuple[CheckStatus, str, str]:
    types = c.rows("partner_types")
    if not types:
        return _warn(_("No partner types are chosen."), "partner_types")
    unexplained = [t.name for t in types if not t.reason.strip()]
    if unexplained:
        return _warn(_("Say why these partner types fit: %(items)s.") % {"items": names(unexplained)}, "partner_types")
    return _ok(_("Every partner type says why it reaches your customers."), "partner_types")


def _frequent_communication(c: _Context) -> tuple[CheckStatus, str, str]:
    if not any(r.role == ChannelRoleKind.PARTNER_ACCOUNT_MANAGER for r in c.rows("channel_team")):
        return _warn(_("Nobody is named partner account manager to keep in touch with partners."), "organization")
    return _unknown(
        _("A partner account manager is named; Kanali cannot yet tell how often you talk to partners."),
        "organization",
    )


def _measurement(c: _Context) -> tuple[CheckStatus, str, str]:
    targeted = [k for k in c.rows("kpis") if k.target is not None]
    if not targeted:
        return _warn(_("No KPI has a target, so nobody can tell whether the program works."), "kpis")
    return _ok(
        ngettext("%(n)d KPI has a target.", "%(n)d KPIs have a target.", len(targeted)) % {"n": len(targeted)}, "kpis"
    )


def _resisting_change(c: _Context) -> tuple[CheckStatus, str, str]:
    if not c.versions:
        return _unknown(_("The program has not been published yet."))
    if len(c.versions) == 1:
        return _ok(_("One version published so far."))
    latest, previous = c.versions[0], c.versions[1]
    days = (latest.published_at - previous.published_at).days
    if days < MIN_DAYS_BETWEEN_VERSIONS:
        return _warn(
            _(
                "Versions %(new)d and %(old)d were published %(days)d days apart. Leave at least %(min)d days "
                "before judging a change: partners need time before sales appear."
            )
            % {"new": latest.number, "old": previous.number, "days": days, "min": MIN_DAYS_BETWEEN_VERSIONS}
        )
    return _ok(_("The last two versions are %(days)d days apart.") % {"days": days})


def _clarity(c: _Context) -> tuple[CheckStatus, str, str]:
    design = c.data.design
    gaps = []
    if not design.partner_expectations.strip():
        gaps.append(_("what partners can expect from you"))
    if not design.vendor_expectations.strip():
        gaps.append(_("what you expect from partners"))
    if not c.rows("responsibilities"):
        gaps.append(_("who does which activity"))
    if gaps:
        return _warn(_("Not written down yet: %(items)s.") % {"items": "; ".join(gaps)}, "responsibilities")
    return _ok(_("Expectations both ways and the responsibility matrix are written down."), "responsibilities")


def _support(c: _Context) -> tuple[CheckStatus, str, str]:
    if not c.data.design.support_enabled:
        return _warn(_("The support platform is switched off, so partners cannot ask for help."), "program_elements")
    return _ok(_("Partners can ask for help before, during and after the sale."), "program_elements")


def _competitor_watch(c: _Context) -> tuple[CheckStatus, str, str]:
    count = len(c.rows("competitors"))
    if not count:
        return _warn(_("No competitor's partner program is benchmarked."), "competitors")
    return _ok(
        ngettext("%(n)d competitor benchmarked.", "%(n)d competitors benchmarked.", count) % {"n": count}, "competitors"
    )


def _partner_council(c: _Context) -> tuple[CheckStatus, str, str]:
    if not c.data.design.partner_council:
        return _warn(_("There is no partner advisory council to hear partners' views."), "organization")
    return _ok(_("A partner advisory council is planned."), "organization")


def _stopping_improvement(c: _Context) -> tuple[CheckStatus, str, str]:
    if not c.versions:
        return _unknown(_("The program has not been published yet."))
    latest = c.versions[0]
    updated = c.data.design.updated_at
    unchanged = updated is None or updated <= latest.published_at
    age = (c.today - timezone.localdate(latest.published_at)).days
    if age > STALE_AFTER_DAYS and unchanged:
        return _warn(
            _(
                "Version %(n)d was published on %(date)s and nothing has changed since. Review the results and "
                "improve the program."
            )
            % {"n": latest.number, "date": date_format(timezone.localtime(latest.published_at), "DATE_FORMAT")},
            "kpis",
        )
    return _ok(_("The design was published or changed in the last %(days)d days.") % {"days": STALE_AFTER_DAYS})


def _lack_of_clarity(c: _Context) -> tuple[CheckStatus, str, str]:
    if not c.rows("responsibilities"):
        return _warn(_("No activity has an owner yet."), "responsibilities")
    shared = _shared_without_lead(c.data)
    if shared:
        return _warn(_("Shared activities without a lead: %(items)s.") % {"items": names(shared)}, "responsibilities")
    ownerless = [item.title for item in c.rows("capabilities") if item.owner_id is None]
    if ownerless:
        return _warn(
            _("Internal to-do items without an owner: %(items)s.") % {"items": names(ownerless)}, "capabilities"
        )
    return _ok(_("Every activity and to-do item has an owner, and every shared activity a lead."), "responsibilities")


def _geography(c: _Context) -> tuple[CheckStatus, str, str]:
    regions = c.data.design.target_regions or []
    if not regions:
        return _warn(
            _("No target regions are set, so partners may be recruited where you cannot support them."), "selection"
        )
    labels = ", ".join(countries.name(r) or str(r) for r in regions)
    return _ok(_("Target regions: %(regions)s.") % {"regions": labels}, "selection")


def _under_investment(c: _Context) -> tuple[CheckStatus, str, str]:
    items = c.rows("capabilities")
    if not items:
        return _warn(
            _("Nothing is planned to stand behind the program (documents, material, systems)."), "capabilities"
        )
    overdue = [i.title for i in items if i.due_date and i.due_date < c.today and i.status != Capability.Status.DONE]
    if overdue:
        return _warn(_("Overdue internal capabilities: %(items)s.") % {"items": names(overdue)}, "capabilities")
    return _ok(_("No internal capability is overdue."), "capabilities")


def _diverse_needs(c: _Context) -> tuple[CheckStatus, str, str]:
    if len(c.rows("partner_types")) > 1 and len(c.rows("motivators")) < 2:
        return _warn(
            _("You seek several partner types but offer one motivator; different partners want different things."),
            "motivators",
        )
    return _unknown(_("Kanali cannot tell yet whether each partner type's needs are met."), "partner_types")


def _wrong_partners(c: _Context) -> tuple[CheckStatus, str, str]:
    if not c.rows("criteria"):
        return _warn(_("No selection criteria, so applications cannot be scored."), "selection")
    return _ok(_("Applications are scored against weighted criteria."), "selection")


def _checks() -> list[tuple[str, CheckKind, str, Callable[[_Context], tuple[CheckStatus, str, str]]]]:
    factor, failure = CheckKind.SUCCESS_FACTOR, CheckKind.FAILURE_POINT
    return [
        ("customer_at_centre", factor, _("Customer at the centre"), _customer_at_centre),
        ("right_channel", factor, _("The right channel"), _right_channel),
        ("frequent_communication", factor, _("Frequent communication"), _frequent_communication),
        ("measurement", factor, _("Measurement"), _measurement),
        ("resisting_frequent_change", factor, _("Resisting frequent change"), _resisting_change),
        ("clarity", factor, _("Clarity"), _clarity),
        ("support", factor, _("Support before, during and after the sale"), _support),
        ("competitor_watch", factor, _("Competitor watch"), _competitor_watch),
        ("partner_council", factor, _("Partner council"), _partner_council),
        ("stopping_improvement", failure, _("Stopping improvement"), _stopping_improvement),
        ("lack_of_clarity", failure, _("Lack of clarity"), _lack_of_clarity),
        ("geography", failure, _("Geography"), _geography),
        ("under_investment", failure, _("Under-investment"), _under_investment),
        ("diverse_channel_needs", failure, _("Diverse channel needs"), _diverse_needs),
        ("wrong_partners", failure, _("Wrong partners"), _wrong_partners),
    ]


def checklist(program: Program, *, data: DesignData | None = None, today: date | None = None) -> list[Check]:
    """The nine success factors and six failure points, each ok / warning / unknown with the step that fixes it."""
    context = _Context(
        data=data or load_design(program),
        versions=list(selectors.versions(program).defer("snapshot")[:2]),
        today=today or timezone.localdate(),
    )
    result = []
    for key, kind, title, rule in _checks():
        status, explanation, step_key = rule(context)
        result.append(Check(key, kind, title, status, explanation, step_key))
    return result
