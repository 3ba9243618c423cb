"""Deals pages: the vendor console (/v/<vendor>/deals/…) and the partner portal (/p/<vendor>/deals/…).

Object pages take ``pk`` (what :func:`kanali.deals.services.page_url` reverses for notification links).
"""

from django.urls import URLPattern, path

from kanali.deals.views import console, portal

app_name = "deals"

V = "v/<slug:vendor_slug>/deals/"
P = "p/<slug:vendor_slug>/deals/"

urlpatterns: list[URLPattern] = [
    # Vendor console
    path(V, console.pipeline, name="pipeline"),
    path(f"{V}list/", console.deal_list, name="deal_list"),
    path(f"{V}<int:pk>/", console.deal_detail, name="vendor_deal_detail"),
    path(f"{V}<int:pk>/stage/", console.deal_stage, name="deal_stage"),
    path(f"{V}<int:pk>/won/", console.deal_won, name="deal_won"),
    path(f"{V}<int:pk>/lost/", console.deal_lost, name="deal_lost"),
    path(f"{V}<int:pk>/edit/", console.deal_edit, name="deal_edit"),
    path(f"{V}<int:pk>/reopen/", console.deal_reopen, name="deal_reopen"),
    path(f"{V}registrations/", console.registration_queue, name="registration_queue"),
    path(f"{V}registrations/<int:pk>/", console.registration_review, name="vendor_registration_detail"),
    path(f"{V}registrations/<int:pk>/approve/", console.registration_approve, name="registration_approve"),
    path(f"{V}registrations/<int:pk>/reject/", console.registration_reject, name="registration_reject"),
    path(f"{V}registrations/<int:pk>/extension/", console.registration_extension, name="registration_extension"),
    path(f"{V}extensions/", console.extension_requests, name="extension_requests"),
    path(f"{V}accounts/", console.account_list, name="account_list"),
    path(f"{V}accounts/import/", console.account_import, name="account_import"),
    path(f"{V}products/", console.product_list, name="product_list"),
    path(f"{V}products/<int:pk>/", console.product_edit, name="product_edit"),
    path(f"{V}settings/", console.deal_settings, name="settings"),
    # Partner portal
    path(P, portal.pipeline, name="portal_pipeline"),
    path(f"{P}list/", portal.deal_list, name="portal_deal_list"),
    path(f"{P}register/", portal.register, name="portal_register"),
    path(f"{P}registrations/", portal.registrations_list, name="portal_registrations"),
    path(f"{P}registrations/<int:pk>/", portal.registration_detail, name="portal_registration_detail"),
    path(f"{P}registrations/<int:pk>/extend/", portal.registration_extend, name="portal_registration_extend"),
    path(f"{P}registrations/<int:pk>/withdraw/", portal.registration_withdraw, name="portal_registration_withdraw"),
    path(f"{P}<int:pk>/", portal.deal_detail, name="portal_deal_detail"),
    path(f"{P}<int:pk>/stage/", portal.deal_stage, name="portal_deal_stage"),
    path(f"{P}<int:pk>/won/", portal.deal_won, name="portal_deal_won"),
    path(f"{P}<int:pk>/lost/", portal.deal_lost, name="portal_deal_lost"),
    path(f"{P}<int:pk>/edit/", portal.deal_edit, name="portal_deal_edit"),
]
