"""Agreements and onboarding: the vendor's editor, acceptance status and checklist; the partner's side of both."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanali.core.access import partner_view, vendor_view
from kanali.core.models import Partnership
from kanali.core.roles import Perm, Role
from kanali.core.selectors import get_partnership, get_program
from kanali.core.workspace import Workspace
from kanali.partners import selectors_agreements as sel
from kanali.partners import services_agreements as services
from kanali.partners.forms_agreements import AcceptForm, AgreementTemplateForm, NewStepForm, OnboardingStepForm
from kanali.partners.models_agreements import (
    AGREEMENT_VARIABLES,
    AgreementAcceptance,
    AgreementTemplate,
    OnboardingStep,
)

# --- Vendor: agreement versions and acceptance status ------------------------------------------------


@vendor_view(Perm.VIEW_PARTNERS)
def agreements(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    program = get_program(ws, program_id)
    versions = list(sel.list_program_templates(ws, program))
    partnerships = sel.live_partnerships(ws, program)
    states = sel.agreement_states(program, partnerships)
    rows = [states[p.pk] for p in partnerships]
    return render(
        request,
        "partners/agreements_program.html",
        {
            "ws": ws,
            "program": program,
            "versions": versions,
            "current": next((v for v in versions if v.is_published), None),
            "draft": next((v for v in versions if not v.is_published), None),
            "rows": rows,
            "counts": {
                "accepted": sum(r.status == "accepted" for r in rows),
                "pending": sum(r.status == "pending" for r in rows),
                "overdue": sum(r.status == "overdue" for r in rows),
            },
            "tab": "agreements",
        },
    )


@require_POST
@vendor_view(Perm.MANAGE_PROGRAMS)
def agreement_new(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    program = get_program(ws, program_id)
    template = services.agreement_template_create(workspace=ws, program=program)
    return redirect("partners:agreement_edit", vendor_slug=ws.vendor.slug, template_id=template.pk)


@vendor_view(Perm.VIEW_PARTNERS)
def agreement_edit(request: HttpRequest, ws: Workspace, template_id: int) -> HttpResponse:
    """A draft's editor with a live preview; a published version read-only, with who accepted it."""
    template = sel.get_agreement_template(ws, template_id)
    editable = not template.is_published and ws.can(Perm.MANAGE_PROGRAMS)
    form = AgreementTemplateForm(request.POST or None, instance=template) if editable else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.agreement_template_update(
                    workspace=ws, template=template, **{k: form.cleaned_data[k] for k in services.TEMPLATE_FIELDS}
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("partners:agreement_edit", vendor_slug=ws.vendor.slug, template_id=template.pk)
        template.refresh_from_db()
    sample = sel.preview_partnership(template.program)
    acceptances = []
    if template.is_published:
        acceptances = list(sel.list_acceptances(ws).filter(template=template).order_by("partnership__partner__name"))
    return render(
        request,
        "partners/agreements_edit.html",
        {
            "ws": ws,
            "program": template.program,
            "template": template,
            "form": form,
            "preview": sel.render_agreement(template, sample),
            "sample": sample,
            "variables": AGREEMENT_VARIABLES,
            "acceptances": acceptances,
            "tab": "agreements",
        },
    )


@vendor_view(Perm.VIEW_PARTNERS)
def agreement_preview(request: HttpRequest, ws: Workspace, template_id: int) -> HttpResponse:
    """The live preview (htmx): the posted text, filled in for a real or sample partner."""
    template = sel.get_agreement_template(ws, template_id)
    errors: list[str] = []
    if request.method == "POST":
        form = AgreementTemplateForm(
            request.POST, instance=AgreementTemplate(vendor=ws.vendor, program=template.program)
        )
        draft = AgreementTemplate(
            vendor=ws.vendor,
            program=template.program,
            version=template.version,
            title=request.POST.get("title", "")[:200],
            body=request.POST.get("body", ""),
            commission_terms=request.POST.get("commission_terms", ""),
        )
        if not form.is_valid():
            errors = [str(e) for name in ("body", "title") for e in form.errors.get(name, [])]
        template = draft
    sample = sel.preview_partnership(template.program)
    return render(
        request,
        "partners/agreements_preview.html",
        {"preview": sel.render_agreement(template, sample), "sample": sample, "errors": errors},
    )


@require_POST
@vendor_view(Perm.MANAGE_PROGRAMS)
def agreement_publish(request: HttpRequest, ws: Workspace, template_id: int) -> HttpResponse:
    template = sel.get_agreement_template(ws, template_id)
    try:
        template = services.agreement_template_publish(workspace=ws, template=template)
    except (ValidationError, services.AgreementConflict) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return redirect("partners:agreement_edit", vendor_slug=ws.vendor.slug, template_id=template.pk)
    messages.success(
        request,
        _("Version %(n)d is published. Every partner in the program is asked to accept it within %(days)d days.")
        % {"n": template.version, "days": template.acceptance_deadline_days},
    )
    return redirect("partners:agreements", vendor_slug=ws.vendor.slug, program_id=template.program_id)


@require_POST
@vendor_view(Perm.MANAGE_PROGRAMS)
def agreement_delete(request: HttpRequest, ws: Workspace, template_id: int) -> HttpResponse:
    template = sel.get_agreement_template(ws, template_id)
    try:
        services.agreement_template_delete(workspace=ws, template=template)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("partners:agreement_edit", vendor_slug=ws.vendor.slug, template_id=template.pk)
    messages.success(request, _("The draft is deleted."))
    return redirect("partners:agreements", vendor_slug=ws.vendor.slug, program_id=template.program_id)


def _pdf_response(acceptance: AgreementAcceptance) -> HttpResponse:
    response = HttpResponse(sel.acceptance_pdf(acceptance), content_type="application/pdf")
    name = f"agreement-v{acceptance.template.version}-{acceptance.partnership.partner.slug}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@vendor_view(Perm.VIEW_PARTNERS)
def acceptance_pdf(request: HttpRequest, ws: Workspace, acceptance_id: int) -> HttpResponse:
    acceptance = sel.get_acceptance(ws, acceptance_id)
    return _pdf_response(acceptance)


# --- Vendor: onboarding ---------------------------------------------------------------------------------


@vendor_view(Perm.VIEW_PARTNERS)
def onboarding(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    """The checklist editor and every live partner's progress, in a constant number of queries."""
    program = get_program(ws, program_id)
    form = NewStepForm(request.POST or None)
    if request.method == "POST":
        if not ws.can(Perm.MANAGE_PROGRAMS):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.onboarding_step_create(workspace=ws, program=program, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The step is added."))
                return redirect("partners:onboarding", vendor_slug=ws.vendor.slug, program_id=program.pk)
    steps = sel.onboarding_steps(program)
    rows = sel.onboarding_overview(ws, program)
    activated = [r.milestones.days_to_activation for r in rows if r.milestones and r.milestones.activated_at]
    days = [d for d in activated if d is not None]
    return render(
        request,
        "partners/onboarding_program.html",
        {
            "ws": ws,
            "program": program,
            "steps": steps,
            "rows": rows,
            "form": form,
            "complete": sum(r.complete for r in rows),
            "median_days": sorted(days)[len(days) // 2] if days else None,
            "tab": "onboarding",
        },
    )


@vendor_view(Perm.MANAGE_PROGRAMS)
def onboarding_step_edit(request: HttpRequest, ws: Workspace, step_id: int) -> HttpResponse:
    step = sel.get_onboarding_step(ws, step_id)
    form = OnboardingStepForm(request.POST or None, instance=step)
    if request.method == "POST" and form.is_valid():
        try:
            services.onboarding_step_update(
                workspace=ws, step=step, **{k: form.cleaned_data[k] for k in services.STEP_FIELDS}
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The step is saved."))
            return redirect("partners:onboarding", vendor_slug=ws.vendor.slug, program_id=step.program_id)
    step.refresh_from_db()
    return render(
        request,
        "partners/onboarding_step_edit.html",
        {"ws": ws, "program": step.program, "step": step, "form": form, "tab": "onboarding"},
    )


@require_POST
@vendor_view(Perm.MANAGE_PROGRAMS)
def onboarding_step_delete(request: HttpRequest, ws: Workspace, step_id: int) -> HttpResponse:
    step = sel.get_onboarding_step(ws, step_id)
    try:
        services.onboarding_step_delete(workspace=ws, step=step)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The step is removed."))
    return redirect("partners:onboarding", vendor_slug=ws.vendor.slug, program_id=step.program_id)


@require_POST
@vendor_view(Perm.MANAGE_PARTNERS)
def onboarding_tick(request: HttpRequest, ws: Workspace, step_id: int, partnership_id: int) -> HttpResponse:
    step = sel.get_onboarding_step(ws, step_id)
    partnership = get_partnership(ws, partnership_id)
    _tick(request, ws, partnership, step)
    return redirect("partners:onboarding", vendor_slug=ws.vendor.slug, program_id=step.program_id)


def _tick(request: HttpRequest, ws: Workspace, partnership: Partnership, step: OnboardingStep) -> None:
    try:
        result = services.onboarding_tick(
            workspace=ws, partnership=partnership, step=step, done=request.POST.get("done", "1") != "0"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return
    if result.partnership.status == Partnership.Status.ACTIVE and partnership.status != Partnership.Status.ACTIVE:
        messages.success(request, _("Onboarding is complete: the partnership is active."))
    else:
        messages.success(request, _("Saved."))


# --- Partner portal ------------------------------------------------------------------------------------


@partner_view()
def portal_agreements(request: HttpRequest, ws: Workspace) -> HttpResponse:
    open_items = sel.open_agreements(ws)
    accepted = list(sel.list_acceptances(ws).order_by("-accepted_at"))
    return render(
        request,
        "partners/agreements_portal_list.html",
        {"ws": ws, "open_items": open_items, "accepted": accepted, "can_accept": services.can_accept(ws)},
    )


def _detail(request: HttpRequest, ws: Workspace, template: AgreementTemplate, form: AcceptForm | None) -> HttpResponse:
    partnership = sel.partner_partnership(ws, template.program)
    acceptance = sel.find_acceptance(partnership, template)
    current = sel.latest_published(template.program)
    rendered = None
    if acceptance is None:
        rendered = sel.render_agreement(template, partnership)
        if form is None:
            form = AcceptForm(initial={"sha256": rendered.sha256}, organization=ws.organization.name)
    return render(
        request,
        "partners/agreements_portal_detail.html",
        {
            "ws": ws,
            "template": template,
            "partnership": partnership,
            "acceptance": acceptance,
            "body": sel.markdown_html(acceptance.rendered_text) if acceptance else rendered.html,  # type: ignore[union-attr]
            "rendered": rendered,
            "is_current": current is not None and current.pk == template.pk,
            "due": sel.due_at(template, partnership),
            "can_accept": services.can_accept(ws),
            "form": form,
        },
    )


@partner_view()
def portal_agreement(request: HttpRequest, ws: Workspace, template_id: int) -> HttpResponse:
    return _detail(request, ws, sel.get_agreement_template(ws, template_id), None)


@require_POST
@partner_view(Perm.MANAGE_PARTNER_PROFILE)
def portal_agreement_accept(request: HttpRequest, ws: Workspace, template_id: int) -> HttpResponse:
    template = sel.get_agreement_template(ws, template_id)
    if ws.role != Role.PARTNER_ADMIN:
        raise PermissionDenied
    form = AcceptForm(request.POST, organization=ws.organization.name)
    if not form.is_valid():
        return _detail(request, ws, template, form)
    try:
        services.agreement_accept(
            workspace=ws,
            template=template,
            sha256=form.cleaned_data["sha256"],
            user_agent=request.headers.get("user-agent", ""),
        )
    except services.AgreementConflict as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, _("Thank you: the agreement is accepted. You can download the signed PDF."))
    return redirect("partners:portal_agreement", vendor_slug=ws.vendor.slug, template_id=template.pk)


@partner_view()
def portal_agreement_pdf(request: HttpRequest, ws: Workspace, template_id: int) -> HttpResponse:
    template = sel.get_agreement_template(ws, template_id)
    acceptance = sel.list_acceptances(ws).filter(template=template).first()
    if acceptance is None:
        raise Http404
    return _pdf_response(acceptance)


@partner_view()
def portal_onboarding(request: HttpRequest, ws: Workspace) -> HttpResponse:
    # Profile and colleague steps finish on other pages; core.hooks.organization_changed refreshes them there.
    lists = sel.partner_checklists(ws)
    return render(
        request,
        "partners/onboarding_portal.html",
        {"ws": ws, "lists": lists, "can_tick": ws.role == Role.PARTNER_ADMIN},
    )


@require_POST
@partner_view(Perm.MANAGE_PARTNER_PROFILE)
def portal_onboarding_tick(request: HttpRequest, ws: Workspace, step_id: int) -> HttpResponse:
    step = sel.get_onboarding_step(ws, step_id)
    partnership = sel.partner_partnership(ws, step.program)
    _tick(request, ws, partnership, step)
    return redirect("partners:portal_onboarding", vendor_slug=ws.vendor.slug)
