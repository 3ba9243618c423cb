"""Tier pages: the vendor's tiers page and simulator, a partner's tier history, the partner's tier page."""

from django.urls import URLPattern, path

from kanali.partners.views import tiers

PROGRAM = "v/<slug:vendor_slug>/programs/<int:program_id>/tiers/"

urlpatterns: list[URLPattern] = [
    path(PROGRAM, tiers.program_tiers, name="tiers_program"),
    path(f"{PROGRAM}evaluate/", tiers.evaluate, name="tiers_evaluate"),
    path(f"{PROGRAM}settings/", tiers.tier_settings, name="tiers_settings"),
    path("v/<slug:vendor_slug>/partners/<int:partnership_id>/tiers/", tiers.partner_history, name="tiers_history"),
    path("p/<slug:vendor_slug>/tiers/", tiers.portal_tiers, name="portal_tiers"),
]
