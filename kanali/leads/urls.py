"""Lead pages: the vendor console (/v/…/leads/), the partner portal (/p/…/leads/) and the signed offer links.

The intake pages (new lead, import, web form) are in ``urls_intake``.
"""

from django.urls import URLPattern, path

from kanali.leads import urls_intake
from kanali.leads.views import console, links, portal, simulator

app_name = "leads"

CONSOLE = "v/<slug:vendor_slug>/leads/"
PORTAL = "p/<slug:vendor_slug>/leads/"

urlpatterns: list[URLPattern] = [
    # Vendor console
    path(CONSOLE, console.lead_queue, name="vendor_leads"),
    path(f"{CONSOLE}<int:lead_id>/", console.lead_detail, name="vendor_lead"),
    path(f"{CONSOLE}<int:lead_id>/reassign/", console.lead_reassign, name="lead_reassign"),
    path(f"{CONSOLE}<int:lead_id>/return/", console.lead_return, name="lead_return"),
    path(f"{CONSOLE}routing-log/", console.routing_log, name="routing_log"),
    path(f"{CONSOLE}settings/", console.settings_index, name="settings_index"),
    path(f"{CONSOLE}programs/<int:program_id>/settings/", console.routing_settings, name="routing_settings"),
    path(f"{CONSOLE}programs/<int:program_id>/simulator/", simulator.simulator, name="simulator"),
    path(f"{CONSOLE}programs/<int:program_id>/partners/", console.profile_list, name="profile_list"),
    path(f"{CONSOLE}partners/<int:partnership_id>/routing/", console.profile_edit, name="profile_edit"),
    # Partner portal
    path(PORTAL, portal.portal_leads, name="portal_leads"),
    path(f"{PORTAL}availability/", portal.portal_availability, name="portal_availability"),
    path(f"{PORTAL}<int:lead_id>/", portal.portal_lead, name="portal_lead"),
    path(f"{PORTAL}<int:lead_id>/accept/", portal.portal_accept, name="portal_accept"),
    path(f"{PORTAL}<int:lead_id>/decline/", portal.portal_decline, name="portal_decline"),
    path(f"{PORTAL}<int:lead_id>/status/", portal.portal_status, name="portal_status"),
    # The signed links of the offer e-mail (no sign-in): one route per action, both named "offer_link"
    # so ``reverse("leads:offer_link", kwargs={"action": …, "token": …})`` picks the right one.
    path("leads/offer/accept/<str:token>/", links.offer_link, {"action": "accept"}, name="offer_link"),
    path("leads/offer/decline/<str:token>/", links.offer_link, {"action": "decline"}, name="offer_link"),
]

urlpatterns += urls_intake.urlpatterns
