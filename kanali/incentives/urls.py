"""Commission pages: plans, statements, payouts (console); commissions, statements, bank details (portal)."""

from django.urls import URLPattern, path

from kanali.incentives.views import console, portal

app_name = "incentives"

V = "v/<slug:vendor_slug>/commissions/"
P = "p/<slug:vendor_slug>/commissions/"

urlpatterns: list[URLPattern] = [
    path(f"{V}plans/", console.plan_list, name="plan_list"),
    path(f"{V}plans/new/", console.plan_create, name="plan_create"),
    path(f"{V}plans/<int:plan_id>/", console.plan_edit, name="plan_edit"),
    path(f"{V}statements/", console.statement_list, name="statement_list"),
    path(f"{V}statements/<int:statement_id>/", console.statement_detail, name="statement_detail"),
    path(f"{V}statements/<int:statement_id>/approve/", console.statement_approve, name="statement_approve"),
    path(f"{V}statements/<int:statement_id>/pay/", console.statement_pay, name="statement_pay"),
    path(f"{V}statements/<int:statement_id>/pdf/", console.statement_pdf, name="statement_pdf"),
    path(f"{V}payouts/", console.payout_export, name="payouts"),
    path(f"{V}payouts.csv", console.payout_csv, name="payouts_csv"),
    path(P, portal.portal_commissions, name="portal_commissions"),
    path(f"{P}statements/", portal.portal_statements, name="portal_statements"),
    path(f"{P}statements/<int:statement_id>/", portal.portal_statement_detail, name="portal_statement_detail"),
    path(f"{P}statements/<int:statement_id>/pdf/", portal.portal_statement_pdf, name="portal_statement_pdf"),
    path(f"{P}bank-details/", portal.portal_bank_details, name="portal_bank_details"),
]
