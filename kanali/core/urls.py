from django.urls import path

from kanali.core import views, views_notifications

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("notifications/", views_notifications.notification_list, name="notifications"),
    path("notifications/read/", views_notifications.notification_read, name="notification_read"),
    # Vendor console
    path("v/<slug:vendor_slug>/", views.vendor_home, name="vendor_home"),
    path("v/<slug:vendor_slug>/partners/", views.partner_list, name="partner_list"),
    path("v/<slug:vendor_slug>/partners/<int:partnership_id>/", views.partner_detail, name="partner_detail"),
    path("v/<slug:vendor_slug>/settings/", views.vendor_settings, name="vendor_settings"),
    path("v/<slug:vendor_slug>/audit/", views.audit_log, name="audit_log"),
    # Partner portal
    path("p/<slug:vendor_slug>/", views.portal_home, name="portal_home"),
    path("p/<slug:vendor_slug>/profile/", views.portal_profile, name="portal_profile"),
]
