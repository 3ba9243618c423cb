"""Reads of agreements and onboarding, and the safe rendering of agreement text.

Rendering never runs vendor text through the template engine: the known
``{{ variable }}`` tokens are replaced with plain values, ``<`` and ``>`` are
escaped, and Markdown turns the result into HTML whose links are limited to
``http(s)``, ``mailto`` and in-page anchors. The rendered Markdown is what a
partner accepts, and its SHA-256 is the evidence.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import markdown  # type: ignore[import-untyped]
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown.extensions import Extension  # type: ignore[import-untyped]
from markdown.treeprocessors import Treeprocessor  # type: ignore[import-untyped]

from kanali.core.models import Membership, Partnership, PartnerType, Program
from kanali.core.roles import PARTNER_ROLES
from kanali.core.selectors import get_partnership, list_partnerships, list_programs
from kanali.core.workspace import Workspace
from kanali.designer import selectors as design
from kanali.designer.catalogues import Side
from kanali.partners.models_agreements import (
    AGREEMENT_VARIABLES,
    TOKEN_RE,
    AgreementAcceptance,
    AgreementTemplate,
    OnboardingProgress,
    OnboardingStep,
    PartnershipMilestones,
)

#: Partnerships that are asked to accept agreements and go through onboarding.
LIVE_STATUSES = Partnership.PORTAL_STATUSES

# --- Rendering -------------------------------------------------------------------------------

SAFE_HREF = re.compile(r"^(https?://|mailto:|#)", re.IGNORECASE)


class _SafeLinks(Treeprocessor):
    """Drops link targets outside http(s)/mailto/#, and images (a PDF or page never fetches them)."""

    def run(self, root: ET.Element) -> None:
        for parent in root.iter():
            for child in list(parent):
                if child.tag == "a" and not SAFE_HREF.match(child.get("href", "").strip()):
                    child.attrib.pop("href", None)
                if child.tag == "img":
                    span = ET.Element("span")
                    span.text = child.get("alt", "")
                    span.tail = child.tail
                    parent.insert(list(parent).index(child), span)
                    parent.remove(child)
                if child.tag == "a" and child.get("href"):
                    child.set("rel", "nofollow noopener")


class SafeLinksExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_SafeLinks(md), "kanali_safe_links", 0)


def markdown_html(text: str) -> SafeString:
    """Vendor Markdown as HTML; raw HTML in it is shown as text, never run."""
    escaped = text.replace("<", "&lt;").replace(">", "&gt;")
    html = markdown.markdown(escaped, extensions=["tables", SafeLinksExtension()])
    return mark_safe(html)  # noqa: S308 - every < and > of the input was escaped; links were filtered


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cell(value: Any) -> str:
    return " ".join(str(value or "").split()).replace("|", "\\|") or "—"


def responsibility_matrix(program: Program) -> str:
    """Design step 8 as a Markdown table."""
    rows = list(design.responsibilities(program))
    if not rows:
        return _("No responsibilities have been agreed yet.")
    sides = dict(Side.choices)
    lines = [
        "| " + " | ".join([_("Activity"), _("Responsible"), _("Who leads"), _("Expectation")]) + " |",
        "|---|---|---|---|",
    ]
    for r in rows:
        lead = sides.get(r.lead, "") if r.assignee == Side.BOTH else ""
        lines.append(
            "| "
            + " | ".join(_cell(v) for v in (r.activity, sides.get(r.assignee, r.assignee), lead, r.expectation))
            + " |"
        )
    return "\n".join(lines)


def _tier_row(program: Program, tier: str) -> Any:
    if not tier:
        return None
    return next((t for t in design.tiers(program) if t.name.lower() == tier.lower()), None)


def agreement_values(template: AgreementTemplate, partnership: Partnership) -> dict[str, str]:
    """What each variable becomes for this partnership."""
    program = template.program
    partner = partnership.partner
    types = {t.key: t.name for t in design.partner_types(program)}
    try:
        type_label = types.get(partnership.partner_type) or str(PartnerType(partnership.partner_type).label)
    except ValueError:
        type_label = partnership.partner_type
    tier = _tier_row(program, partnership.tier)
    tier_name = tier.name if tier else (partnership.tier.capitalize() if partnership.tier else _("no tier"))
    commission = (template.commission_terms or "").strip()
    if tier is not None and tier.commission_bonus_pct:
        bonus = _("As a %(tier)s partner you earn a commission bonus of %(pct)s %%.") % {
            "tier": tier.name,
            "pct": f"{tier.commission_bonus_pct.normalize():f}",
        }
        commission = f"{commission}\n\n{bonus}".strip()
    values = {
        "partner_name": partner.name,
        "partner_type": type_label or "—",
        "tier": tier_name,
        "territory": partner.country.name if partner.country else _("not stated"),
        "commission_terms": commission or _("As set out in the commission plan."),
        "responsibility_matrix": responsibility_matrix(program),
    }
    assert set(values) == set(AGREEMENT_VARIABLES)  # noqa: S101 - a new variable must get a value here
    return values


def substitute(text: str, values: dict[str, str]) -> str:
    """Replace known ``{{ name }}`` tokens in one pass; values are never scanned again."""
    return TOKEN_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def render_text(template: AgreementTemplate, partnership: Partnership) -> str:
    """The exact Markdown a partner reads and accepts: the title as a heading, then the filled-in body."""
    body = substitute(template.body.replace("\r\n", "\n"), agreement_values(template, partnership))
    return f"# {template.title.strip()}\n\n{body.strip()}\n"


@dataclass(frozen=True)
class RenderedAgreement:
    template: AgreementTemplate
    partnership: Partnership
    text: str
    sha256: str

    @property
    def html(self) -> SafeString:
        return markdown_html(self.text)


def render_agreement(template: AgreementTemplate, partnership: Partnership) -> RenderedAgreement:
    text = render_text(template, partnership)
    return RenderedAgreement(template, partnership, text, text_sha256(text))


def preview_partnership(program: Program) -> Partnership:
    """A live partnership to preview with, or an unsaved sample one."""
    from kanali.core.models import Organization

    found = (
        Partnership.objects.for_vendor(program.vendor_id)
        .filter(program=program, status__in=LIVE_STATUSES)
        .select_related("partner")
        .order_by("pk")
        .first()
    )
    if found is not None:
        return found
    sample = Organization(name=_("Example Partner Ltd"), country="GR")
    return Partnership(vendor_id=program.vendor_id, program=program, partner=sample, partner_type="var")


def acceptance_pdf(acceptance: AgreementAcceptance) -> bytes:
    """The signed agreement: the accepted text and the evidence block, rendered offline."""
    from kanali.designer.outputs import _pdf

    html = render_to_string(
        "partners/agreements_pdf.html",
        {
            "acceptance": acceptance,
            "body": markdown_html(acceptance.rendered_text),
            "accepted_at": acceptance.accepted_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        },
    )
    return _pdf(html)


# --- Agreement reads ----------------------------------------------------------------------------


def latest_published(program: Program) -> AgreementTemplate | None:
    return (
        AgreementTemplate.objects.for_vendor(program.vendor_id)
        .filter(program=program, status=AgreementTemplate.Status.PUBLISHED)
        .order_by("-version")
        .first()
    )


def latest_ids(vendor_id: int, program_ids: Iterable[int]) -> list[int]:
    seen: set[int] = set()
    ids = []
    rows = (
        AgreementTemplate.objects.for_vendor(vendor_id)
        .filter(program_id__in=list(program_ids), status=AgreementTemplate.Status.PUBLISHED)
        .order_by("program_id", "-version")
        .values_list("program_id", "pk")
    )
    for program_id, pk in rows:
        if program_id not in seen:
            seen.add(program_id)
            ids.append(pk)
    return ids


def list_agreement_templates(workspace: Workspace, *, program_id: int | None = None) -> QuerySet[AgreementTemplate]:
    """Vendor staff: every version. A partner: the current version of each of its programs and what it accepted."""
    qs = AgreementTemplate.objects.for_vendor(workspace.vendor).select_related("program")
    if workspace.is_partner:
        partnerships = list_partnerships(workspace)
        accepted = AgreementAcceptance.objects.for_vendor(workspace.vendor).filter(partnership__in=partnerships)
        latest = latest_ids(workspace.vendor.pk, list_programs(workspace).values_list("pk", flat=True))
        qs = qs.filter(status=AgreementTemplate.Status.PUBLISHED).filter(
            Q(pk__in=latest) | Q(pk__in=accepted.values("template_id"))
        )
    if program_id:
        qs = qs.filter(program_id=program_id)
    return qs.order_by("program__name", "-version", "pk")


def get_agreement_template(workspace: Workspace, template_id: int) -> AgreementTemplate:
    return get_object_or_404(list_agreement_templates(workspace), pk=template_id)


def list_program_templates(workspace: Workspace, program: Program) -> QuerySet[AgreementTemplate]:
    return list_agreement_templates(workspace, program_id=program.pk).select_related("published_by")


def partner_partnership(workspace: Workspace, program: Program) -> Partnership:
    """The acting partner's live partnership in ``program``."""
    found = list_partnerships(workspace, program_id=program.pk).first()
    if found is None:
        raise Http404
    return found


def list_acceptances(workspace: Workspace) -> QuerySet[AgreementAcceptance]:
    qs = AgreementAcceptance.objects.for_vendor(workspace.vendor).select_related(
        "template__program", "partnership__partner"
    )
    if workspace.is_partner:
        qs = qs.filter(partnership__in=list_partnerships(workspace))
    return qs


def get_acceptance(workspace: Workspace, acceptance_id: int) -> AgreementAcceptance:
    return get_object_or_404(list_acceptances(workspace), pk=acceptance_id)


def find_acceptance(partnership: Partnership, template: AgreementTemplate) -> AgreementAcceptance | None:
    return (
        AgreementAcceptance.objects.for_vendor(partnership.vendor_id)
        .filter(partnership=partnership, template=template)
        .first()
    )


def due_at(template: AgreementTemplate, partnership: Partnership) -> datetime | None:
    """When the partnership must have accepted ``template`` (its days count from publication or joining)."""
    if template.published_at is None:
        return None
    start = max(template.published_at, partnership.created_at or template.published_at)
    return start + timedelta(days=template.acceptance_deadline_days)


@dataclass
class AgreementState:
    """One partnership and the current version of its program's agreement."""

    partnership: Partnership
    template: AgreementTemplate | None
    acceptance: AgreementAcceptance | None  # of the current version
    last_acceptance: AgreementAcceptance | None  # of any version
    due: datetime | None

    @property
    def accepted(self) -> bool:
        return self.acceptance is not None

    @property
    def overdue(self) -> bool:
        return not self.accepted and self.due is not None and self.due < timezone.now()

    @property
    def status(self) -> str:
        if self.template is None:
            return "none"
        if self.accepted:
            return "accepted"
        return "overdue" if self.overdue else "pending"


def agreement_states(program: Program, partnerships: list[Partnership]) -> dict[int, AgreementState]:
    """The current version's acceptance state of each partnership, in two queries."""
    template = latest_published(program)
    acceptances: dict[int, list[AgreementAcceptance]] = {}
    if partnerships:
        rows = (
            AgreementAcceptance.objects.for_vendor(program.vendor_id)
            .filter(partnership__in=[p.pk for p in partnerships], template__program=program)
            .select_related("template")
            .order_by("-template__version", "-accepted_at")
        )
        for row in rows:
            acceptances.setdefault(row.partnership_id, []).append(row)
    states = {}
    for p in partnerships:
        mine = acceptances.get(p.pk, [])
        current = next((a for a in mine if template is not None and a.template_id == template.pk), None)
        states[p.pk] = AgreementState(
            partnership=p,
            template=template,
            acceptance=current,
            last_acceptance=mine[0] if mine else None,
            due=due_at(template, p) if template is not None else None,
        )
    return states


def live_partnerships(workspace: Workspace, program: Program) -> list[Partnership]:
    qs = list_partnerships(workspace, program_id=program.pk).filter(status__in=LIVE_STATUSES)
    return list(qs)


def partnership_agreement_history(partnership: Partnership) -> list[dict[str, Any]]:
    """Every published version of the program's agreement and whether this partnership accepted it."""
    templates = list(
        AgreementTemplate.objects.for_vendor(partnership.vendor_id)
        .filter(program_id=partnership.program_id, status=AgreementTemplate.Status.PUBLISHED)
        .order_by("-version")
    )
    accepted = {
        a.template_id: a
        for a in AgreementAcceptance.objects.for_vendor(partnership.vendor_id)
        .filter(partnership=partnership)
        .select_related("template")
    }
    rows = []
    for n, t in enumerate(templates):
        acceptance = accepted.get(t.pk)
        due = due_at(t, partnership)
        if acceptance is not None:
            status = "accepted"
        elif n > 0:
            status = "superseded"
        elif due is not None and due < timezone.now():
            status = "overdue"
        else:
            status = "pending"
        rows.append({"template": t, "acceptance": acceptance, "due_at": due, "status": status})
    return rows


@dataclass
class OpenAgreement:
    template: AgreementTemplate
    partnership: Partnership
    due: datetime | None

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < timezone.now()


def open_agreements(workspace: Workspace) -> list[OpenAgreement]:
    """Current versions the acting partner has not accepted yet, soonest deadline first."""
    partnerships = list(list_partnerships(workspace))
    if not partnerships:
        return []
    latest = list(
        AgreementTemplate.objects.for_vendor(workspace.vendor)
        .filter(pk__in=latest_ids(workspace.vendor.pk, {p.program_id for p in partnerships}))
        .select_related("program")
    )
    accepted = set(
        AgreementAcceptance.objects.for_vendor(workspace.vendor)
        .filter(partnership__in=partnerships, template__in=latest)
        .values_list("partnership_id", "template_id")
    )
    by_program = {t.program_id: t for t in latest}
    items = []
    for p in partnerships:
        t = by_program.get(p.program_id)
        if t is not None and (p.pk, t.pk) not in accepted:
            items.append(OpenAgreement(t, p, due_at(t, p)))
    far = timezone.now() + timedelta(days=36500)
    return sorted(items, key=lambda item: item.due or far)


# --- Onboarding -----------------------------------------------------------------------------------

#: ``rule(program, partnerships) -> ids of the partnerships for which the step is done``.
Rule = Callable[[Program, list[Partnership]], set[int]]
_RULES: dict[str, list[Rule]] = {}


def register_onboarding_rule(kind: str, rule: Rule) -> Rule:
    """Let an app tell when a built-in step is done (enablement: training; leads and deals: first deal or lead).

    A step is done when any of its rules says so. Kinds without a rule (and custom
    steps) are ticked by hand by the partner admin or the vendor.
    """
    rules = _RULES.setdefault(kind, [])
    if rule not in rules:
        rules.append(rule)
    return rule


def has_rule(kind: str) -> bool:
    return bool(_RULES.get(kind))


def agreement_rule(program: Program, partnerships: list[Partnership]) -> set[int]:
    states = agreement_states(program, partnerships)
    return {pk for pk, s in states.items() if s.accepted}


def profile_rule(program: Program, partnerships: list[Partnership]) -> set[int]:
    return {p.pk for p in partnerships if p.partner.country and p.partner.website and p.partner.vat_number}


def colleague_rule(program: Program, partnerships: list[Partnership]) -> set[int]:
    counts = dict(
        Membership.objects.filter(organization_id__in={p.partner_id for p in partnerships}, role__in=PARTNER_ROLES)
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    return {p.pk for p in partnerships if counts.get(p.partner_id, 0) >= 2}


def first_deal_rule(program: Program, partnerships: list[Partnership]) -> set[int]:
    return set(
        PartnershipMilestones.objects.for_vendor(program.vendor_id)
        .filter(partnership__in=[p.pk for p in partnerships], first_deal_at__isnull=False)
        .values_list("partnership_id", flat=True)
    )


def onboarding_steps(program: Program) -> list[OnboardingStep]:
    """The program's checklist, created with the default steps the first time it is needed."""
    steps = list(OnboardingStep.objects.for_vendor(program.vendor_id).filter(program=program).order_by("position"))
    if steps:
        return steps
    from kanali.partners.services_agreements import ensure_default_steps

    return ensure_default_steps(program)


def get_onboarding_step(workspace: Workspace, step_id: int) -> OnboardingStep:
    programs = list_programs(workspace)
    return get_object_or_404(
        OnboardingStep.objects.for_vendor(workspace.vendor).filter(program__in=programs).select_related("program"),
        pk=step_id,
    )


@dataclass
class StepState:
    step: OnboardingStep
    done: bool
    done_at: datetime | None
    manual: bool  # ticked by hand rather than computed


@dataclass
class Checklist:
    partnership: Partnership
    steps: list[StepState]
    milestones: PartnershipMilestones | None = None
    agreement: AgreementState | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def required(self) -> list[StepState]:
        return [s for s in self.steps if s.step.required]

    @property
    def required_done(self) -> int:
        return sum(s.done for s in self.required)

    @property
    def complete(self) -> bool:
        return all(s.done for s in self.required)

    @property
    def done_count(self) -> int:
        return sum(s.done for s in self.steps)

    @property
    def percent(self) -> int:
        """Progress toward activation: the required steps are what activation waits for."""
        required = self.required
        return round(100 * self.required_done / len(required)) if required else 100

    def state(self, step: OnboardingStep) -> StepState | None:
        return next((s for s in self.steps if s.step.pk == step.pk), None)


def is_manual(step: OnboardingStep) -> bool:
    """Custom steps, and built-in ones no app computes yet, are ticked by hand."""
    return step.is_custom or (step.kind != OnboardingStep.Kind.AGREEMENT and not has_rule(step.kind))


def checklists(program: Program, partnerships: list[Partnership]) -> dict[int, Checklist]:
    """Each partnership's checklist, from live data, in a constant number of queries."""
    steps = onboarding_steps(program)
    ids = [p.pk for p in partnerships]
    progress: dict[tuple[int, int], OnboardingProgress] = {}
    milestones: dict[int, PartnershipMilestones] = {}
    if ids:
        progress = {
            (row.partnership_id, row.step_id): row
            for row in OnboardingProgress.objects.for_vendor(program.vendor_id).filter(partnership_id__in=ids)
        }
        milestones = {
            m.partnership_id: m
            for m in PartnershipMilestones.objects.for_vendor(program.vendor_id).filter(partnership_id__in=ids)
        }
    states = agreement_states(program, partnerships)
    done_by_kind: dict[str, set[int]] = {}
    for kind in {s.kind for s in steps if not is_manual(s)}:
        if kind == OnboardingStep.Kind.AGREEMENT:
            done_by_kind[kind] = {pk for pk, s in states.items() if s.accepted}
            continue
        ids_done: set[int] = set()
        for rule in _RULES.get(kind, []):
            ids_done |= rule(program, partnerships)
        done_by_kind[kind] = ids_done
    result = {}
    for p in partnerships:
        rows = []
        for step in steps:
            row = progress.get((p.pk, step.pk))
            manual = is_manual(step)
            done = row is not None if manual else p.pk in done_by_kind.get(step.kind, set())
            rows.append(StepState(step, done, row.done_at if row is not None and done else None, manual))
        result[p.pk] = Checklist(p, rows, milestones.get(p.pk), states.get(p.pk))
    return result


def checklist(partnership: Partnership) -> Checklist:
    return checklists(partnership.program, [partnership])[partnership.pk]


def onboarding_overview(workspace: Workspace, program: Program) -> list[Checklist]:
    """Every live partnership of the program with its checklist (the vendor's progress table)."""
    partnerships = live_partnerships(workspace, program)
    found = checklists(program, partnerships)
    return [found[p.pk] for p in partnerships]


def partner_checklists(workspace: Workspace, *, statuses: Iterable[str] = LIVE_STATUSES) -> list[Checklist]:
    """The acting partner's checklist in each of its programs (those in ``statuses``)."""
    partnerships = list(list_partnerships(workspace).filter(status__in=list(statuses)))
    by_program: dict[int, list[Partnership]] = {}
    for p in partnerships:
        by_program.setdefault(p.program_id, []).append(p)
    result = []
    for group in by_program.values():
        found = checklists(group[0].program, group)
        result += [found[p.pk] for p in group]
    return result


def partnership_checklist(workspace: Workspace, partnership_id: int) -> Checklist:
    return checklist(get_partnership(workspace, partnership_id))


def milestones(partnership: Partnership) -> PartnershipMilestones | None:
    return PartnershipMilestones.objects.for_vendor(partnership.vendor_id).filter(partnership=partnership).first()
