"""Intake URLs: a lead by hand, importing files, the public web-to-lead form (included by ``leads/urls.py``)."""

from django.urls import URLPattern, path

from kanali.leads.views import intake

CONSOLE = "v/<slug:vendor_slug>/leads/"

urlpatterns: list[URLPattern] = [
    path(f"{CONSOLE}new/", intake.lead_new, name="intake_new"),
    path(f"{CONSOLE}import/", intake.import_upload, name="intake_import"),
    path(f"{CONSOLE}import/template.csv", intake.import_template, name="intake_template"),
    path(f"{CONSOLE}import/<int:import_id>/", intake.import_preview, name="intake_import_preview"),
    path(f"{CONSOLE}import/<int:import_id>/commit/", intake.import_commit, name="intake_import_commit"),
    path("w/<slug:vendor_slug>/<slug:program_slug>/lead/", intake.web_lead, name="intake_web"),
]
