"""Application URLs: public apply and status pages, the applicant's list, the console's selection matrix."""

from django.urls import URLPattern, path

from kanali.partners.views import applications

CONSOLE = "v/<slug:vendor_slug>/applications/"

urlpatterns: list[URLPattern] = [
    path("programs/<slug:vendor_slug>/<slug:program_slug>/apply/", applications.apply, name="application_apply"),
    path("applications/<str:token>/", applications.status, name="application_status"),
    path("my/applications/", applications.my_applications, name="my_applications"),
    path(CONSOLE, applications.application_list, name="application_list"),
    path(f"{CONSOLE}compare/", applications.application_compare, name="application_compare"),
    path(f"{CONSOLE}<int:application_id>/", applications.application_detail, name="application_detail"),
    path(f"{CONSOLE}<int:application_id>/approve/", applications.application_approve, name="application_approve"),
    path(f"{CONSOLE}<int:application_id>/reject/", applications.application_reject, name="application_reject"),
]
