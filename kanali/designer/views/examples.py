"""Load a "what good looks like" example into one step of the design, or into all of them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from kanali.core.access import vendor_view
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace
from kanali.designer import examples, selectors
from kanali.designer.steps import get_step


def _go(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _load(request: HttpRequest, ws: Workspace, program_id: int, step: str | None, back: str) -> HttpResponse:
    program = selectors.get_program(ws, program_id)
    key = request.POST.get("example", "")
    label = examples.EXAMPLE_LABELS.get(key)
    if label is None:
        messages.error(request, _("Choose one of the examples to load."))
        return _go(request, back)
    try:
        examples.load_example(workspace=ws, program=program, example=key, step=step)
    except ValidationError as exc:
        messages.error(request, _("The example could not be loaded: %(reason)s") % {"reason": " ".join(exc.messages)})
        return _go(request, back)
    if step is None:
        messages.success(
            request,
            _("Loaded the example “%(example)s” into every step. Adapt it to your program.") % {"example": label},
        )
    else:
        messages.success(
            request,
            _("Loaded the example “%(example)s” into this step. Adapt it to your program.") % {"example": label},
        )
    return _go(request, back)


@vendor_view(Perm.MANAGE_PROGRAMS)
@require_POST
def load_example(request: HttpRequest, ws: Workspace, program_id: int, step: str) -> HttpResponse:
    current = get_step(step)
    if current is None:
        raise Http404
    back = reverse(
        "designer:step", kwargs={"vendor_slug": ws.vendor.slug, "program_id": program_id, "step": current.key}
    )
    return _load(request, ws, program_id, current.key, back)


@vendor_view(Perm.MANAGE_PROGRAMS)
@require_POST
def load_example_all(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    back = reverse("designer:overview", kwargs={"vendor_slug": ws.vendor.slug, "program_id": program_id})
    return _load(request, ws, program_id, None, back)
