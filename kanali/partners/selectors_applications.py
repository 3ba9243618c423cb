"""Reads of applications and the selection matrix; every one takes the acting workspace.

The scoring rules live here as pure functions so the services (which store
``pre_score`` and ``total_score``) and the pages (which show the breakdown)
compute exactly the same figures:

* a **pre-score** (1–5) comes from the application's own data for criteria
  whose ``data_source`` maps to it;
* a criterion's **effective score** is the average of the reviewers' scores
  when anyone scored it, otherwise its pre-score, otherwise nothing;
* the **total** is the weighted average of the effective scores
  (``normalized_weights``), over the criteria that have one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from kanali.core.models import Partnership, Program
from kanali.core.roles import PARTNER_ROLES
from kanali.core.workspace import Workspace
from kanali.designer.catalogues import SelectionData
from kanali.designer.models import Design, ProgramPartnerType, SelectionCriterion
from kanali.designer.selectors import normalized_weights
from kanali.partners.models_applications import Application, ApplicationScore

if TYPE_CHECKING:
    from kanali.accounts.models import User

STATUS_SALT = "kanali.partners.application-status"
TWO_PLACES = Decimal("0.01")

#: Partnerships that count towards the recruitment target.
RECRUITED_STATUSES = (Partnership.Status.APPROVED, Partnership.Status.ONBOARDING, Partnership.Status.ACTIVE)


# --- Lists and objects ------------------------------------------------------------


def list_applications(
    workspace: Workspace, *, program_id: int | None = None, status: str = ""
) -> QuerySet[Application]:
    """Vendor staff see every application to the vendor's programs; a partner only its company's own."""
    qs = Application.objects.for_vendor(workspace.vendor).select_related("program", "organization")
    if workspace.is_partner:
        qs = qs.filter(Q(organization=workspace.organization) | Q(submitted_by=workspace.user))
    if program_id:
        qs = qs.filter(program_id=program_id)
    if status == "open":
        qs = qs.filter(status__in=Application.OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by(F("total_score").desc(nulls_last=True), "-created_at", "-pk")


def get_application(workspace: Workspace, application_id: int) -> Application:
    return get_object_or_404(list_applications(workspace), pk=application_id)


def staff_applications(
    workspace: Workspace, *, program_id: int | None = None, status: str = ""
) -> QuerySet[Application]:
    """The ranked table of the console: how many reviewers scored each row, in the same query."""
    if not workspace.is_vendor:
        raise Http404
    return list_applications(workspace, program_id=program_id, status=status).annotate(
        reviewers=Count("scores__reviewer", distinct=True)
    )


def get_staff_application(workspace: Workspace, application_id: int) -> Application:
    """An application as the vendor reviews it; partners (even its own applicant) get 404."""
    return get_object_or_404(staff_applications(workspace), pk=application_id)


def list_own_applications(user: User) -> QuerySet[Application]:
    """The signed-in person's applications to any vendor: submitted by them or by their partner company.

    Deliberately across vendors (``unscoped``): the user is the scope here, and
    each row is one they or their company sent.
    """
    if not user.is_authenticated:
        return Application.unscoped.none()
    org_ids = user.memberships.filter(role__in=PARTNER_ROLES).values("organization_id")  # type: ignore[attr-defined]
    return (
        Application.unscoped.filter(Q(submitted_by=user) | Q(organization_id__in=org_ids))
        .select_related("program", "vendor")
        .order_by("-created_at", "-pk")
    )


def status_token(application: Application) -> str:
    """The secret of the applicant's status link: signed vendor, id and the row's nonce (stable, no expiry)."""
    payload = {"v": application.vendor_id, "a": application.pk, "n": application.nonce}
    return signing.Signer(salt=STATUS_SALT).sign_object(payload)


def get_application_by_token(token: str) -> Application:
    """The application a status link names; a forged or stale link is 404."""
    try:
        payload = signing.Signer(salt=STATUS_SALT).unsign_object(token)
    except signing.BadSignature as exc:
        raise Http404 from exc
    if not isinstance(payload, dict) or not {"v", "a", "n"} <= payload.keys():
        raise Http404
    return get_object_or_404(
        Application.objects.for_vendor(int(payload["v"])).select_related("program", "vendor"),
        pk=payload["a"],
        nonce=payload["n"],
    )


def get_applications_by_ids(workspace: Workspace, ids: Iterable[int]) -> list[Application]:
    """Applications for the side-by-side comparison, in the order asked; any id not the vendor's is 404."""
    wanted = list(dict.fromkeys(ids))
    rows = {a.pk: a for a in staff_applications(workspace).filter(pk__in=wanted)}
    if len(rows) != len(wanted):
        raise Http404
    return [rows[pk] for pk in wanted]


def partner_type_names(vendor_id: int, program_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    """``{(program_id, key): name}`` for the designed partner types of these programs, in one query."""
    rows = ProgramPartnerType.objects.for_vendor(vendor_id).filter(program_id__in=set(program_ids))
    return {(t.program_id, t.key): t.name for t in rows}


def program_partner_types(program: Program) -> list[tuple[str, str]]:
    """``(key, name)`` choices of the program's designed partner types."""
    rows = ProgramPartnerType.objects.for_vendor(program.vendor_id).filter(program=program).order_by("name", "pk")
    return [(t.key, t.name) for t in rows]


# --- Pre-scores -------------------------------------------------------------------


def _band(value: int, bounds: tuple[int, int, int, int]) -> int:
    """1–5 by the four lower bounds of scores 2, 3, 4 and 5."""
    return 1 + sum(value >= bound for bound in bounds)


def reference_count(references: str) -> int:
    return len([line for line in references.splitlines() if line.strip()])


REVENUE_SCORES = {band.value: n for n, band in enumerate(Application.RevenueBand, start=1)}


def prescore(application: Application, data_source: str, *, target_regions: list[str], sought: set[str]) -> int | None:
    """The 1–5 score the application's own data earns on a criterion, or ``None`` when nothing maps."""
    if data_source == SelectionData.REGION_OVERLAP:
        if not target_regions:
            return None
        served, targets = set(application.regions or []), set(target_regions)
        if not served:
            return 1
        # Share of the applicant's regions (or of ours, if it serves more) that we target.
        share = Decimal(len(served & targets)) / min(len(served), len(targets))
        return 1 + int((share * 4).quantize(Decimal(1), ROUND_HALF_UP))
    if data_source == SelectionData.PARTNER_TYPE:
        if application.partner_type not in sought:
            return 1
        # A referral partner only introduces customers: sought, but it neither sells nor delivers.
        return 2 if application.partner_type == "referral" else 5
    if data_source == SelectionData.CERTIFIED_PEOPLE:
        return _band(application.certified_people, (1, 2, 4, 10))
    if data_source == SelectionData.TEAM_SIZE:
        return _band(application.team_size, (3, 10, 50, 200))
    if data_source == SelectionData.REVENUE_BAND:
        return REVENUE_SCORES.get(application.revenue_band)
    if data_source == SelectionData.REFERENCES:
        return _band(reference_count(application.references), (1, 2, 3, 5))
    return None


# --- The score sheet ----------------------------------------------------------------


@dataclass
class ReviewerScore:
    reviewer: Any
    score: int
    note: str
    updated_at: Any


@dataclass
class CriterionRow:
    criterion: SelectionCriterion
    weight: Decimal  # normalized share, sums to 1 over the program's criteria
    pre_score: int | None
    reviews: list[ReviewerScore] = field(default_factory=list)

    @property
    def review_average(self) -> Decimal | None:
        if not self.reviews:
            return None
        return (Decimal(sum(r.score for r in self.reviews)) / len(self.reviews)).quantize(TWO_PLACES, ROUND_HALF_UP)

    @property
    def effective(self) -> Decimal | None:
        average = self.review_average
        if average is not None:
            return average
        return Decimal(self.pre_score) if self.pre_score is not None else None

    @property
    def weight_percent(self) -> Decimal:
        return (self.weight * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class ScoreSheet:
    application: Application
    rows: list[CriterionRow]

    @staticmethod
    def _weighted(pairs: list[tuple[Decimal, Decimal | None]]) -> Decimal | None:
        scored = [(w, s) for w, s in pairs if s is not None]
        weight = sum((w for w, _ in scored), Decimal(0))
        if not scored or not weight:
            return None
        return (sum((w * s for w, s in scored), Decimal(0)) / weight).quantize(TWO_PLACES, ROUND_HALF_UP)

    @property
    def pre_score(self) -> Decimal | None:
        return self._weighted(
            [(r.weight, Decimal(r.pre_score) if r.pre_score is not None else None) for r in self.rows]
        )

    @property
    def total(self) -> Decimal | None:
        return self._weighted([(r.weight, r.effective) for r in self.rows])

    @property
    def scored(self) -> int:
        return sum(r.effective is not None for r in self.rows)

    def reviews_by(self, user: Any) -> dict[int, ReviewerScore]:
        """``{criterion_id: that reviewer's score}``, to fill the scoring form."""
        return {r.criterion.pk: rev for r in self.rows for rev in r.reviews if rev.reviewer.pk == user.pk}


def _criteria_and_targets(
    vendor_id: int, program_ids: set[int]
) -> tuple[dict[int, list[SelectionCriterion]], dict[int, list[str]], dict[int, set[str]]]:
    criteria: dict[int, list[SelectionCriterion]] = defaultdict(list)
    for c in (
        SelectionCriterion.objects.for_vendor(vendor_id).filter(program_id__in=program_ids).order_by("-weight", "pk")
    ):
        criteria[c.program_id].append(c)
    targets = {
        d.program_id: list(d.target_regions or [])
        for d in Design.objects.for_vendor(vendor_id)
        .filter(program_id__in=program_ids)
        .only("program_id", "target_regions")
    }
    sought: dict[int, set[str]] = defaultdict(set)
    for program_id, key in (
        ProgramPartnerType.objects.for_vendor(vendor_id)
        .filter(program_id__in=program_ids)
        .values_list("program_id", "key")
    ):
        sought[program_id].add(key)
    return criteria, targets, sought


def score_sheets(applications: list[Application]) -> dict[int, ScoreSheet]:
    """Score sheets of many applications of one vendor in four queries, whatever their number."""
    if not applications:
        return {}
    vendor_id = applications[0].vendor_id
    program_ids = {a.program_id for a in applications}
    criteria, targets, sought = _criteria_and_targets(vendor_id, program_ids)
    reviews: dict[tuple[int, int], list[ReviewerScore]] = defaultdict(list)
    for s in (
        ApplicationScore.objects.for_vendor(vendor_id)
        .filter(application__in=[a.pk for a in applications])
        .select_related("reviewer")
        .order_by("updated_at", "pk")
    ):
        reviews[(s.application_id, s.criterion_id)].append(ReviewerScore(s.reviewer, s.score, s.note, s.updated_at))
    sheets = {}
    for a in applications:
        program_criteria = criteria.get(a.program_id, [])
        weights = normalized_weights(program_criteria)
        rows = [
            CriterionRow(
                criterion=c,
                weight=weights[c.pk],
                pre_score=prescore(
                    a, c.data_source, target_regions=targets.get(a.program_id, []), sought=sought[a.program_id]
                ),
                reviews=reviews.get((a.pk, c.pk), []),
            )
            for c in program_criteria
        ]
        sheets[a.pk] = ScoreSheet(a, rows)
    return sheets


def score_sheet(application: Application) -> ScoreSheet:
    return score_sheets([application])[application.pk]


# --- Recruitment target -------------------------------------------------------------


@dataclass(frozen=True)
class Recruitment:
    program: Program
    recruited: int
    target: int | None
    deadline: date | None

    @property
    def percent(self) -> int:
        if not self.target:
            return 0
        return min(100, round(100 * self.recruited / self.target))


def recruitment_progress(workspace: Workspace, programs: Iterable[Program]) -> list[Recruitment]:
    """ "12 of 20 partners by June" for each program: approved, onboarding and active partnerships."""
    programs = list(programs)
    ids = [p.pk for p in programs]
    counts = dict(
        Partnership.objects.for_vendor(workspace.vendor)
        .filter(program_id__in=ids, status__in=RECRUITED_STATUSES)
        .order_by()
        .values("program_id")
        .annotate(n=Count("id"))
        .values_list("program_id", "n")
    )
    designs = {d.program_id: d for d in Design.objects.for_vendor(workspace.vendor).filter(program_id__in=ids)}
    out = []
    for p in programs:
        design = designs.get(p.pk)
        out.append(
            Recruitment(
                program=p,
                recruited=counts.get(p.pk, 0),
                target=design.recruitment_target if design else None,
                deadline=design.recruitment_deadline if design else None,
            )
        )
    return out


def open_applications_of(workspace: Workspace) -> QuerySet[Application]:
    """The partner company's applications to this vendor's programs still waiting for a decision."""
    return list_applications(workspace).filter(status__in=Application.OPEN_STATUSES)
