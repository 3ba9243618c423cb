"""Reads of the intake pages: the vendor's checked and imported files, and a program's public web form."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from kanali.core.models import Organization, Program
from kanali.core.workspace import Workspace
from kanali.leads.models import LeadImport
from kanali.leads.services_intake import web_form_open


def list_imports(workspace: Workspace) -> QuerySet[LeadImport]:
    """The vendor's uploads, newest first; only the vendor's staff sees them."""
    if not workspace.is_vendor:
        return LeadImport.objects.none()
    return (
        LeadImport.objects.for_vendor(workspace.vendor)
        .select_related("program", "created_by")
        .defer("rows", "errors")
        .order_by("-created_at", "-pk")
    )


def get_import(workspace: Workspace, import_id: int) -> LeadImport:
    if not workspace.is_vendor:
        raise Http404
    return get_object_or_404(LeadImport.objects.for_vendor(workspace.vendor).select_related("program"), pk=import_id)


def public_web_form_program(vendor_slug: str, program_slug: str) -> Program:
    """The program whose web form a visitor opened; ``Http404`` unless it is published and the form is switched on.

    The visitor has no workspace: the vendor comes from the URL and scopes the read.
    """
    vendor = Organization.objects.filter(slug=vendor_slug, is_vendor=True).first()
    program = Program.objects.for_vendor(vendor).filter(slug=program_slug).first() if vendor else None
    if program is None or not web_form_open(program):
        raise Http404
    return program
