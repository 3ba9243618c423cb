"""The guided workspace: the overview of the fourteen steps and one page per step, autosaved with htmx."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kanali.core.access import vendor_view
from kanali.core.models import PartnerType, Program
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace
from kanali.designer import readiness, selectors, services
from kanali.designer.catalogues import PARTNER_TYPE_DEFINITIONS, CanvasKind
from kanali.designer.forms import design_form_class, formset_class
from kanali.designer.steps import STEPS, Step, get_step


@vendor_view()
def overview(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    program = selectors.get_program(ws, program_id)
    statuses = readiness.step_status(program)
    done = sum(1 for s in statuses if s.complete)
    return render(
        request,
        "designer/overview.html",
        {
            "ws": ws,
            "program": program,
            "statuses": statuses,
            "done": done,
            "percent": round(100 * done / len(STEPS)),
            "published": selectors.published_version(program),
        },
    )


def _forms(request: HttpRequest, program: Program, step: Step) -> tuple[Any, list[Any]]:
    data = request.POST if request.method == "POST" else None
    design_form = None
    if step.design_fields:
        design_form = design_form_class(step)(data, instance=selectors.get_design(program), prefix="design")
    formsets = [formset_class(c)(data, program=program, collection=c) for c in step.collections]
    return design_form, formsets


def _extras(program: Program, step: Step, formsets: list[Any]) -> dict[str, Any]:
    """What a step shows beside its forms: the fit view, the grid, normalised weights."""
    if step.key == "value_proposition":
        items = list(selectors.canvas_items(program))
        addressed = {target.pk for item in items for target in item.addresses.all()}
        return {
            "fit": [
                (kind.label, [(item, item.pk in addressed) for item in items if item.kind == kind])
                for kind in (CanvasKind.PAIN, CanvasKind.GAIN)
            ]
        }
    if step.key == "competitors":
        return {"competitors": list(selectors.competitors(program))}
    if step.key == "partner_types":
        return {"definitions": [(PartnerType(key).label, text) for key, text in PARTNER_TYPE_DEFINITIONS.items()]}
    if step.key == "selection":
        criteria = list(selectors.selection_criteria(program))
        weights = selectors.normalized_weights(criteria)
        return {
            "weights": [(c, weights[c.pk] * 100) for c in criteria],
            "weight_total": sum(c.weight for c in criteria),
        }
    return {}


@vendor_view()
def step_page(request: HttpRequest, ws: Workspace, program_id: int, step: str) -> HttpResponse:
    program = selectors.get_program(ws, program_id)
    current = get_step(step)
    if current is None:
        raise Http404
    can_edit = ws.can(Perm.MANAGE_PROGRAMS)
    if request.method == "POST" and not can_edit:
        return render(request, "403.html", status=403)
    design_form, formsets = _forms(request, program, current)
    saved_at = None
    if request.method == "POST":
        valid = all(f.is_valid() for f in [*([design_form] if design_form else []), *formsets])
        if valid:
            services.step_save(workspace=ws, program=program, step=current, design_form=design_form, formsets=formsets)
            saved_at = timezone.now()
            if not request.htmx:  # type: ignore[attr-defined]
                messages.success(request, _("Saved."))
                return redirect(request.path)
            design_form, formsets = _forms(_as_get(request), program, current)
    context = {
        "ws": ws,
        "program": program,
        "step": current,
        "steps": STEPS,
        "statuses": {s.step.key: s for s in readiness.step_status(program)},
        "design_form": design_form,
        "formsets": formsets,
        "saved_at": saved_at,
        "can_edit": can_edit,
        "previous": STEPS[current.number - 2] if current.number > 1 else None,
        "next": STEPS[current.number] if current.number < len(STEPS) else None,
        **_extras(program, current, formsets),
    }
    template = "designer/_step_form.html" if request.htmx else "designer/step.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _as_get(request: HttpRequest) -> HttpRequest:
    """The same request seen as a GET, to render fresh forms after a save."""
    clone = HttpRequest()
    clone.method = "GET"
    clone.GET = request.GET
    return clone
