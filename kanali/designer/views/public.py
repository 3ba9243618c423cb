"""The program as others see it: the public page for prospective partners and the partner-portal page.

Both render only the latest published version, never the draft.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kanali.core.access import partner_view
from kanali.core.selectors import list_partnerships
from kanali.core.workspace import Workspace
from kanali.designer import outputs, selectors
from kanali.designer.publishing import get_public_version


@require_safe
def public_program(request: HttpRequest, vendor_slug: str, program_slug: str) -> HttpResponse:
    """Anyone may read a published program; an unpublished one does not exist (404)."""
    version = get_public_version(vendor_slug, program_slug)
    return render(
        request,
        "designer/public_program.html",
        {"p": outputs.present(version.snapshot), "version": version},
    )


@partner_view()
def portal_program(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    program = selectors.get_program(ws, program_id)
    version = selectors.published_version(program)
    return render(
        request,
        "designer/portal_program.html",
        {
            "ws": ws,
            "program": program,
            "version": version,
            "p": outputs.present(version.snapshot) if version else None,
            "partnership": list_partnerships(ws, program_id=program.pk).first(),
        },
    )
