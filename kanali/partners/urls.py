"""Partner lifecycle URLs; each area keeps its routes in its own module."""

from django.urls import include, path

app_name = "partners"

urlpatterns = [
    path("", include("kanali.partners.urls_applications")),
    path("", include("kanali.partners.urls_management")),
    path("", include("kanali.partners.urls_agreements")),
    path("", include("kanali.partners.urls_tiers")),
]
