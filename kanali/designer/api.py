"""``/api/v1/programs`` and their design, step by step; ``/metrics`` and ``/design-steps`` describe what is valid.

Programs are listed for vendor staff and for partners (a partner sees the
programs it takes part in). The design is the vendor's working draft, so
only vendor staff read it; partners get 404, as for anything not theirs.
Writing a step needs ``manage_programs`` and is all or nothing.

No ``from __future__ import annotations`` here: django-ninja reads the real types.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from kanali.core import selectors as core_selectors
from kanali.core.models import Program
from kanali.core.roles import Perm
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.designer import metrics, outputs, publishing, readiness, selectors, services
from kanali.designer.schemas import (
    DesignOut,
    ErrorOut,
    MetricOut,
    ProgramDetailOut,
    ProgramOut,
    PublishIn,
    ReadinessOut,
    StepIn,
    StepInfoOut,
    StepOut,
    VersionOut,
    design_data,
    step_data,
    step_info,
)
from kanali.designer.snapshot import build_snapshot, load_design
from kanali.designer.steps import STEPS, Step, get_step

router = Router(tags=["design"])


def workspace_of(request: HttpRequest) -> Workspace:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def staff_workspace(request: HttpRequest) -> Workspace:
    """The design is the vendor's working draft: it does not exist for partners."""
    workspace = workspace_of(request)
    if not workspace.is_vendor:
        raise Http404
    return workspace


def step_or_404(key: str) -> Step:
    step = get_step(key)
    if step is None:
        raise Http404
    return step


def _messages(exc: ValidationError) -> Any:
    return exc.message_dict if hasattr(exc, "error_dict") else exc.messages


class StepRefused(Exception):
    """A step's answers were refused; raised inside the transaction so nothing is written."""

    def __init__(self, detail: dict[str, Any]) -> None:
        super().__init__(detail)
        self.detail = detail


# --- Programs ------------------------------------------------------------------


@router.get("/programs", response=list[ProgramOut], tags=["programs"])
@paginate(LimitOffsetPagination)
def list_programs(request: HttpRequest):  # type: ignore[no-untyped-def]
    return core_selectors.list_programs(workspace_of(request)).order_by("name", "pk")


@router.get("/programs/{program_id}", response=ProgramDetailOut, tags=["programs"])
def get_program(request: HttpRequest, program_id: int) -> dict[str, Any]:
    program = core_selectors.get_program(workspace_of(request), program_id)
    version = selectors.published_version(program)
    return {**ProgramOut.model_validate(program).model_dump(), "published_version": version.number if version else None}


# --- Design ----------------------------------------------------------------------


@router.get("/programs/{program_id}/design", response=DesignOut)
def get_design(request: HttpRequest, program_id: int) -> dict[str, Any]:
    """The whole working design: every step's answers and lists."""
    program = selectors.get_program(staff_workspace(request), program_id)
    return design_data(program, STEPS)


@router.get("/programs/{program_id}/design/{step}", response=StepOut)
def get_design_step(request: HttpRequest, program_id: int, step: str) -> dict[str, Any]:
    program = selectors.get_program(staff_workspace(request), program_id)
    return step_data(program, step_or_404(step))


@router.put("/programs/{program_id}/design/{step}", response={200: StepOut, 422: ErrorOut})
def put_design_step(request: HttpRequest, program_id: int, step: str, payload: StepIn) -> Any:
    """Save one step. Fields and collections left out stay as they are; a collection sent is replaced.

    Rows are matched to stored ones by their natural key (see ``/design-steps``),
    so ids and whatever points at them survive. Any error writes nothing.
    """
    workspace = staff_workspace(request)
    program = selectors.get_program(workspace, program_id)
    current = step_or_404(step)
    require(workspace, Perm.MANAGE_PROGRAMS)
    detail: dict[str, Any] = {}
    unknown_fields = sorted(set(payload.design) - set(current.design_fields))
    if unknown_fields:
        detail["design"] = {name: [_("Not a field of this step.")] for name in unknown_fields}
    collections = {c.key: c for c in current.collections}
    unknown_collections = sorted(set(payload.collections) - set(collections))
    if unknown_collections:
        detail["collections"] = {key: [_("Not a list of this step.")] for key in unknown_collections}
    if detail:
        return Status(422, {"detail": detail})
    try:
        with transaction.atomic():
            _save_step(workspace, program, current, payload)
    except StepRefused as exc:
        return Status(422, {"detail": exc.detail})
    return Status(200, step_data(program, current))


def _save_step(workspace: Workspace, program: Program, step: Step, payload: StepIn) -> None:
    if payload.design:
        try:
            services.design_update(workspace=workspace, program=program, values=payload.design)
        except ValidationError as exc:
            raise StepRefused({"design": _messages(exc)}) from exc
    # In the step's order, so tiers exist before their requirements and pains before their relievers.
    for collection in step.collections:
        if collection.key not in payload.collections:
            continue
        try:
            services.items_replace(
                workspace=workspace, program=program, collection=collection, rows=payload.collections[collection.key]
            )
        except ValidationError as exc:
            raise StepRefused({"collections": {collection.key: _messages(exc)}}) from exc


# --- Readiness, publishing, the handbook ----------------------------------------------


@router.get("/programs/{program_id}/readiness", response=ReadinessOut)
def get_readiness(request: HttpRequest, program_id: int) -> dict[str, Any]:
    """Each step complete or not (with what is missing), and the success-factor and failure-point checks."""
    program = selectors.get_program(staff_workspace(request), program_id)
    data = load_design(program)
    statuses = readiness.step_status(program, data=data)
    checks = readiness.checklist(program, data=data)
    return {
        "complete_steps": sum(s.complete for s in statuses),
        "total_steps": len(statuses),
        "publishable": not readiness.missing_required(statuses),
        "steps": [
            {
                "key": s.step.key,
                "number": s.step.number,
                "title": str(s.step.title),
                "required": s.step.required,
                "complete": s.complete,
                "reason": s.reason,
            }
            for s in statuses
        ],
        "checks": [
            {
                "key": c.key,
                "kind": str(c.kind),
                "title": str(c.title),
                "status": str(c.status),
                "explanation": c.explanation,
                "step_key": c.step_key,
            }
            for c in checks
        ],
    }


@router.post("/programs/{program_id}/publish", response={201: VersionOut, 409: ErrorOut})
def publish_program(request: HttpRequest, program_id: int, payload: PublishIn) -> Any:
    """Freeze the draft as the next version partners and the public see.

    422 lists the incomplete required steps and publishes nothing; 409 when the
    last version is under 90 days old, unless ``confirm_frequent`` is true.
    """
    workspace = staff_workspace(request)
    program = selectors.get_program(workspace, program_id)
    try:
        version = publishing.publish(
            workspace=workspace,
            program=program,
            change_note=payload.change_note,
            confirm_frequent=payload.confirm_frequent,
        )
    except publishing.FrequentChangeWarning as exc:
        return Status(409, {"detail": str(exc)})
    return Status(201, version)


PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The program handbook as a PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get("/programs/{program_id}/handbook.pdf", response={422: ErrorOut}, openapi_extra=PDF_RESPONSE)
def get_handbook_pdf(request: HttpRequest, program_id: int, version: str = "draft", lang: str = "") -> Any:
    """The handbook of the draft (``version=draft``), the latest published version (``published``) or a number.

    ``lang`` is ``en`` or ``el``; by default the request's language.
    """
    program = selectors.get_program(staff_workspace(request), program_id)
    if lang and lang not in outputs.LANGUAGES:
        return Status(
            422, {"detail": {"lang": [_("Choose one of: %(langs)s.") % {"langs": ", ".join(outputs.LANGUAGES)}]}}
        )
    language = lang or translation.get_language() or outputs.LANGUAGES[0]
    language = language if language in outputs.LANGUAGES else outputs.LANGUAGES[0]
    frozen = publishing.get_version(program, version)
    snapshot = frozen.snapshot if frozen is not None else build_snapshot(program)
    pdf = outputs.handbook_pdf(snapshot, lang=language, version=frozen)
    edition = f"v{frozen.number}" if frozen is not None else "draft"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{program.slug}-handbook-{edition}-{language}.pdf"'
    return response


# --- What is valid ---------------------------------------------------------------


@router.get("/design-steps", response=list[StepInfoOut])
@paginate(LimitOffsetPagination)
def list_design_steps(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The fourteen steps: their fields, their lists, and the fields that identify a row of each list."""
    return [step_info(step) for step in STEPS]


@router.get("/metrics", response=list[MetricOut])
@paginate(LimitOffsetPagination)
def list_metrics(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Metrics a tier requirement can use (``tier_requirements[].metric``)."""
    found = (metrics.get(key) for key, _label in metrics.choices())
    return [{"key": m.key, "label": str(m.label), "unit": m.unit} for m in found if m is not None]
