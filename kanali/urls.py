"""Kanali's URLs: public pages, the vendor console (/v/), the partner portal (/p/) and the API."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from kanali.api.api import api

urlpatterns = [
    path("", include("kanali.core.urls")),
    path("", include("kanali.accounts.urls")),
    path("", include("kanali.designer.urls")),
    path("", include("kanali.partners.urls")),
    path("", include("kanali.leads.urls")),
    path("", include("kanali.deals.urls")),
    path("", include("kanali.incentives.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)  # type: ignore[arg-type]

handler400 = "kanali.core.views.error_400"
handler403 = "kanali.core.views.error_403"
handler404 = "kanali.core.views.error_404"
handler500 = "kanali.core.views.error_500"
