"""Tier pages: the vendor's tiers page with the simulator, a partner's tier history, and the partner's own tier page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kanali.core import selectors as core_selectors
from kanali.core.access import partner_view, vendor_view
from kanali.core.models import Program
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace
from kanali.partners import engine, selectors_tiers, services_tiers
from kanali.partners.forms_tiers import RequirementFormSet, TierSettingsForm


def _initial_rows(rungs: list[engine.Rung]) -> list[dict[str, Any]]:
    return [
        {"tier": rung.tier.name, "metric": metric, "threshold": threshold}
        for rung in rungs
        for metric, threshold in rung.requirements
    ]


@vendor_view(Perm.VIEW_PARTNERS)
def program_tiers(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    """Current tier per partner; POSTing draft requirements simulates them (nothing is written)."""
    program = core_selectors.get_program(ws, program_id)
    context: dict[str, Any] = {"ws": ws, "program": program, "uses_tiers": engine.uses_tiers(program)}
    if not context["uses_tiers"]:
        return render(request, "partners/tiers_program.html", context)
    rungs = engine.ladder(program)
    tiers = [r.tier for r in rungs]
    partnerships = list(selectors_tiers.list_program_partnerships(ws, program))
    assignments = selectors_tiers.assignments_by_partnership(ws, program)
    formset = RequirementFormSet(
        request.POST or None, initial=_initial_rows(rungs), form_kwargs={"tiers": tiers}, prefix="req"
    )
    moves = None
    if request.method == "POST" and formset.is_valid():
        draft = engine.draft_ladder(rungs, formset.rows(tiers))  # type: ignore[attr-defined]
        assigned = {pid: a.tier_id for pid, a in assignments.items()}
        moves = engine.simulate(partnerships, assigned, draft, now=timezone.now())
        context["draft_metrics"] = engine.metric_keys(draft)
    settings_row = selectors_tiers.get_tier_settings(program)
    context.update(
        {
            "tiers": tiers,
            "rungs": rungs,
            "rows": [(p, assignments.get(p.pk)) for p in partnerships],
            "formset": formset,
            "moves": moves,
            "moves_up": sum(m.direction == "up" for m in moves or []),
            "moves_down": sum(m.direction == "down" for m in moves or []),
            "settings_form": TierSettingsForm(initial={"grace_days": settings_row.grace_days}),
            "grace_days": settings_row.grace_days,
            "last_run": selectors_tiers.last_run(program),
        }
    )
    return render(request, "partners/tiers_program.html", context)


@require_POST
@vendor_view(Perm.MANAGE_PARTNERS)
def evaluate(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    program = core_selectors.get_program(ws, program_id)
    if not engine.uses_tiers(program):
        messages.warning(request, _("This program runs without tiers: there is nothing to evaluate."))
    else:
        summary = services_tiers.evaluate_program(workspace=ws, program=program)
        messages.success(
            request,
            ngettext("Evaluated %(n)d partner", "Evaluated %(n)d partners", summary.evaluated)
            % {"n": summary.evaluated}
            + ": "
            + ngettext("%(changed)d tier change.", "%(changed)d tier changes.", summary.changed)
            % {"changed": summary.changed},
        )
    return redirect("partners:tiers_program", vendor_slug=ws.vendor.slug, program_id=program.pk)


@require_POST
@vendor_view(Perm.MANAGE_PROGRAMS)
def tier_settings(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    program = core_selectors.get_program(ws, program_id)
    form = TierSettingsForm(request.POST)
    if form.is_valid():
        try:
            services_tiers.tier_settings_update(
                workspace=ws, program=program, grace_days=form.cleaned_data["grace_days"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The grace period is saved."))
            return redirect("partners:tiers_program", vendor_slug=ws.vendor.slug, program_id=program.pk)
    return _settings_error(request, ws, program, form)


def _settings_error(request: HttpRequest, ws: Workspace, program: Program, form: TierSettingsForm) -> HttpResponse:
    return render(request, "partners/tiers_settings.html", {"ws": ws, "program": program, "form": form})


@vendor_view(Perm.VIEW_PARTNERS)
def partner_history(request: HttpRequest, ws: Workspace, partnership_id: int) -> HttpResponse:
    partnership = core_selectors.get_partnership(ws, partnership_id)
    status = selectors_tiers.tier_status(ws, partnership)
    return render(
        request,
        "partners/tiers_history.html",
        {
            "ws": ws,
            "partnership": partnership,
            "status": status,
            "changes": selectors_tiers.list_tier_changes(ws, partnership)[:200],
        },
    )


@partner_view()
def portal_tiers(request: HttpRequest, ws: Workspace) -> HttpResponse:
    statuses = selectors_tiers.partner_tier_statuses(ws)
    return render(
        request,
        "partners/tiers_portal.html",
        {
            "ws": ws,
            "statuses": [(s, selectors_tiers.list_tier_changes(ws, s.partnership)[:100]) for s in statuses],
        },
    )
