"""The routing simulator page: draft settings against the current ones on replayed leads, then apply.

Running writes nothing (see :mod:`kanali.leads.simulator`); "Apply draft"
posts the same values to ``lead_settings_update`` and needs MANAGE_LEADS.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kanali.core.access import vendor_view
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace
from kanali.leads import services
from kanali.leads import simulator as sim
from kanali.leads.forms import SimulatorForm
from kanali.leads.selectors import lead_programs
from kanali.leads.views.console import _program, add_errors

DEFAULT_LAST_N = 200


@vendor_view(Perm.VIEW_CONSOLE)
def simulator(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    program = _program(ws, program_id)
    can_manage = ws.can(Perm.MANAGE_LEADS)
    replay: sim.Replay | None = None
    status = 200
    if request.method == "POST":
        data = request.POST.copy()
        data.setdefault("last_n", str(DEFAULT_LAST_N))
        form = SimulatorForm(data, request.FILES)
        if not form.is_valid():
            status = 400
        elif "apply" in request.POST:
            if not can_manage:
                raise PermissionDenied
            try:
                services.lead_settings_update(workspace=ws, program=program, data=form.settings_data())
            except ValidationError as exc:
                add_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("The draft settings are applied; the next lead is routed with them."))
                return redirect("leads:routing_settings", vendor_slug=ws.vendor.slug, program_id=program.pk)
        else:
            upload = form.cleaned_data.get("file")
            try:
                if upload is not None:
                    rows, skipped = sim.file_leads(program, upload.read(), upload.name)
                    replay = sim.replay_program(program, form.draft(program), rows=rows, skipped=skipped)
                else:
                    replay = sim.replay_program(program, form.draft(program), last_n=form.cleaned_data["last_n"])
            except ValidationError as exc:
                form.add_error("file", exc)
                status = 400
    else:
        initial = SimulatorForm.initial_from(sim.stored_settings(program))
        form = SimulatorForm(initial={**initial, "last_n": DEFAULT_LAST_N})
    return render(
        request,
        "leads/console_simulator.html",
        {
            "ws": ws,
            "program": program,
            "programs": lead_programs(ws),
            "form": form,
            "replay": replay,
            "can_manage": can_manage,
        },
        status=status,
    )
