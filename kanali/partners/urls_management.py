"""Partner management (console), the partner's directory page (portal), the locator and the ecosystem directory."""

from django.urls import URLPattern, path

from kanali.partners.views import management

MANAGE = "v/<slug:vendor_slug>/partners/<int:partnership_id>/manage/"

urlpatterns: list[URLPattern] = [
    path("v/<slug:vendor_slug>/partners/manage/", management.management_list, name="management_list"),
    path(MANAGE, management.management_detail, name="management_detail"),
    path(f"{MANAGE}notes/", management.management_note_add, name="management_note_add"),
    path(f"{MANAGE}status/", management.management_status, name="management_status"),
    path("v/<slug:vendor_slug>/ecosystem/", management.ecosystem, name="ecosystem"),
    path("p/<slug:vendor_slug>/directory/", management.portal_directory, name="portal_directory"),
    path("programs/<slug:vendor_slug>/<slug:program_slug>/partners/", management.locator, name="locator"),
]
