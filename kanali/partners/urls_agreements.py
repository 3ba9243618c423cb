"""Agreements and onboarding: the vendor console's editor and status pages, the partner portal's side."""

from django.urls import URLPattern, path

from kanali.partners.views import agreements as views

V = "v/<slug:vendor_slug>/"
PROGRAM = f"{V}programs/<int:program_id>/"
P = "p/<slug:vendor_slug>/"

urlpatterns: list[URLPattern] = [
    # Vendor console
    path(f"{PROGRAM}agreements/", views.agreements, name="agreements"),
    path(f"{PROGRAM}agreements/new/", views.agreement_new, name="agreement_new"),
    path(f"{V}agreements/<int:template_id>/", views.agreement_edit, name="agreement_edit"),
    path(f"{V}agreements/<int:template_id>/preview/", views.agreement_preview, name="agreement_preview"),
    path(f"{V}agreements/<int:template_id>/publish/", views.agreement_publish, name="agreement_publish"),
    path(f"{V}agreements/<int:template_id>/delete/", views.agreement_delete, name="agreement_delete"),
    path(f"{V}agreements/acceptances/<int:acceptance_id>.pdf", views.acceptance_pdf, name="agreement_acceptance_pdf"),
    path(f"{PROGRAM}onboarding/", views.onboarding, name="onboarding"),
    path(f"{V}onboarding/steps/<int:step_id>/", views.onboarding_step_edit, name="onboarding_step_edit"),
    path(f"{V}onboarding/steps/<int:step_id>/delete/", views.onboarding_step_delete, name="onboarding_step_delete"),
    path(
        f"{V}onboarding/steps/<int:step_id>/partnerships/<int:partnership_id>/tick/",
        views.onboarding_tick,
        name="onboarding_tick",
    ),
    # Partner portal
    path(f"{P}agreements/", views.portal_agreements, name="portal_agreements"),
    path(f"{P}agreements/<int:template_id>/", views.portal_agreement, name="portal_agreement"),
    path(f"{P}agreements/<int:template_id>/accept/", views.portal_agreement_accept, name="portal_agreement_accept"),
    path(f"{P}agreements/<int:template_id>/signed.pdf", views.portal_agreement_pdf, name="portal_agreement_pdf"),
    path(f"{P}onboarding/", views.portal_onboarding, name="portal_onboarding"),
    path(f"{P}onboarding/steps/<int:step_id>/tick/", views.portal_onboarding_tick, name="portal_onboarding_tick"),
]
