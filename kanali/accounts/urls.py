from django.urls import path

from kanali.accounts import views

app_name = "accounts"

urlpatterns = [
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    # Vendor console
    path("v/<slug:vendor_slug>/team/", views.vendor_team, name="vendor_team"),
    path("v/<slug:vendor_slug>/team/<int:membership_id>/", views.vendor_member_edit, name="vendor_member_edit"),
    path(
        "v/<slug:vendor_slug>/invitations/<int:invitation_id>/revoke/",
        views.vendor_invitation_revoke,
        name="vendor_invitation_revoke",
    ),
    path("v/<slug:vendor_slug>/partners/invite/", views.invite_partner, name="vendor_invite_partner"),
    path("v/<slug:vendor_slug>/tokens/", views.vendor_tokens, name="vendor_tokens"),
    path("v/<slug:vendor_slug>/tokens/<int:token_id>/revoke/", views.vendor_token_revoke, name="vendor_token_revoke"),
    # Partner portal
    path("p/<slug:vendor_slug>/team/", views.portal_team, name="portal_team"),
    path("p/<slug:vendor_slug>/team/<int:membership_id>/", views.portal_member_edit, name="portal_member_edit"),
    path(
        "p/<slug:vendor_slug>/invitations/<int:invitation_id>/revoke/",
        views.portal_invitation_revoke,
        name="portal_invitation_revoke",
    ),
    path("p/<slug:vendor_slug>/tokens/", views.portal_tokens, name="portal_tokens"),
    path("p/<slug:vendor_slug>/tokens/<int:token_id>/revoke/", views.portal_token_revoke, name="portal_token_revoke"),
]
