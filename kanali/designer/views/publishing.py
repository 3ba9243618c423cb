"""Console pages for readiness, publishing, versions and the handbook and brochure downloads."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanali.core.access import vendor_view
from kanali.core.models import Program
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace
from kanali.designer import outputs, selectors
from kanali.designer.models import DesignVersion
from kanali.designer.publishing import FrequentChangeWarning, get_version, has_unpublished_changes
from kanali.designer.publishing import publish as publish_design
from kanali.designer.readiness import MIN_DAYS_BETWEEN_VERSIONS, checklist, missing_required, step_status
from kanali.designer.snapshot import build_snapshot, load_design


class PublishForm(forms.Form):
    change_note = forms.CharField(
        label=gettext_lazy("What changed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=gettext_lazy("Partners see this in the change log."),
    )
    confirm_frequent = forms.BooleanField(
        label=gettext_lazy("I understand that frequent changes hurt the program; publish anyway."),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


def _fix_links(ws: Workspace, program: Program, checks: list[Any]) -> list[tuple[Any, str]]:
    """Pair each check with the page that fixes it: its step, or the versions page."""
    out = []
    for check in checks:
        if check.step_key:
            url = reverse("designer:step", args=[ws.vendor.slug, program.pk, check.step_key])
        else:
            url = reverse("designer:versions", args=[ws.vendor.slug, program.pk])
        out.append((check, url))
    return out


@vendor_view()
def readiness(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    program = selectors.get_program(ws, program_id)
    data = load_design(program)
    statuses = step_status(program, data=data)
    checks = _fix_links(ws, program, checklist(program, data=data))
    done = sum(s.complete for s in statuses)
    return render(
        request,
        "designer/readiness.html",
        {
            "ws": ws,
            "program": program,
            "statuses": statuses,
            "done": done,
            "percent": round(100 * done / len(statuses)),
            "missing_required": missing_required(statuses),
            "factors": [(c, url) for c, url in checks if c.kind == "success_factor"],
            "failures": [(c, url) for c, url in checks if c.kind == "failure_point"],
        },
    )


@vendor_view(Perm.MANAGE_PROGRAMS)
def publish(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    program = selectors.get_program(ws, program_id)
    latest = selectors.published_version(program)
    initial = {} if latest else {"change_note": _("First published version.")}
    form = PublishForm(request.POST or None, initial=initial)
    warning = ""
    if request.method == "POST" and form.is_valid():
        try:
            version = publish_design(
                workspace=ws,
                program=program,
                change_note=form.cleaned_data["change_note"],
                confirm_frequent=form.cleaned_data["confirm_frequent"],
            )
        except FrequentChangeWarning as exc:
            warning = str(exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Version %(n)d is published.") % {"n": version.number})
            return redirect("designer:versions", vendor_slug=ws.vendor.slug, program_id=program.pk)
    data = load_design(program)
    statuses = step_status(program, data=data)
    return render(
        request,
        "designer/publish.html",
        {
            "ws": ws,
            "program": program,
            "form": form,
            "warning": warning,
            "statuses": statuses,
            "missing_required": missing_required(statuses),
            "summary": [(s, sum(len(data.rows[c.key]) for c in s.step.collections)) for s in statuses],
            "latest": latest,
            "days_since": (timezone.now() - latest.published_at).days if latest else None,
            "min_days": MIN_DAYS_BETWEEN_VERSIONS,
            "unpublished": has_unpublished_changes(program),
        },
    )


@vendor_view()
def versions(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    program = selectors.get_program(ws, program_id)
    rows = list(selectors.versions(program).defer("snapshot"))
    return render(
        request,
        "designer/versions.html",
        {
            "ws": ws,
            "program": program,
            "versions": rows,
            "unpublished": has_unpublished_changes(program),
        },
    )


def _document(
    request: HttpRequest, ws: Workspace, program_id: int
) -> tuple[Program, dict[str, Any], DesignVersion | None, str]:
    """The program, the snapshot asked for (``?version=draft|published|<n>``) and the language (``?lang=``)."""
    program = selectors.get_program(ws, program_id)
    lang = request.GET.get("lang") or translation.get_language() or "en"
    lang = lang if lang in outputs.LANGUAGES else "en"
    version = get_version(program, request.GET.get("version", "draft"))
    snapshot = version.snapshot if version is not None else build_snapshot(program)
    return program, snapshot, version, lang


def _filename(program: Program, kind: str, version: DesignVersion | None, lang: str, ext: str) -> str:
    edition = f"v{version.number}" if version else "draft"
    return f"{program.slug}-{kind}-{edition}-{lang}.{ext}"


@vendor_view()
def handbook_pdf(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    program, snapshot, version, lang = _document(request, ws, program_id)
    response = HttpResponse(outputs.handbook_pdf(snapshot, lang=lang, version=version), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(program, "handbook", version, lang, "pdf")}"'
    return response


@vendor_view()
def handbook_md(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    program, snapshot, version, lang = _document(request, ws, program_id)
    response = HttpResponse(
        outputs.handbook_markdown(snapshot, lang=lang, version=version), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(program, "handbook", version, lang, "md")}"'
    return response


@vendor_view()
def brochure_pdf(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    program, snapshot, version, lang = _document(request, ws, program_id)
    public_url = request.build_absolute_uri(reverse("designer:public_program", args=[ws.vendor.slug, program.slug]))
    pdf = outputs.brochure_pdf(snapshot, lang=lang, public_url=public_url, version=version)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(program, "brochure", version, lang, "pdf")}"'
    return response
