from django.urls import path

from kanali.designer.views import steps

urlpatterns = [
    path("v/<slug:vendor_slug>/programs/<int:program_id>/design/", steps.overview, name="overview"),
    path("v/<slug:vendor_slug>/programs/<int:program_id>/design/<slug:step>/", steps.step_page, name="step"),
]
