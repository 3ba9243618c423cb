"""Readiness, publishing, versions and documents (console); the public and portal program pages."""

from django.urls import URLPattern, path

from kanali.designer.views import public, publishing

PROGRAM = "v/<slug:vendor_slug>/programs/<int:program_id>/"

urlpatterns: list[URLPattern] = [
    path(f"{PROGRAM}readiness/", publishing.readiness, name="readiness"),
    path(f"{PROGRAM}publish/", publishing.publish, name="publish"),
    path(f"{PROGRAM}versions/", publishing.versions, name="versions"),
    path(f"{PROGRAM}handbook.pdf", publishing.handbook_pdf, name="handbook_pdf"),
    path(f"{PROGRAM}handbook.md", publishing.handbook_md, name="handbook_md"),
    path(f"{PROGRAM}brochure.pdf", publishing.brochure_pdf, name="brochure_pdf"),
    path("programs/<slug:vendor_slug>/<slug:program_slug>/", public.public_program, name="public_program"),
    path("p/<slug:vendor_slug>/programs/<int:program_id>/", public.portal_program, name="portal_program"),
]
