"""The in-app notifications page: every notice to the signed-in person, newest first.

Notifications belong to their recipient (not to a tenant), so the page lives
outside the console and portal; every read and write filters by
``recipient=request.user``. Opening a notice is a POST (it marks it read), then a
redirect to its link when that link is a path on this site.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kanali.core.models import Notification
from kanali.core.notifications import mark_read

PAGE_SIZE = 25


def _own(request: HttpRequest) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=request.user.pk)


@login_required
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    notices = _own(request).select_related("vendor").order_by("-created_at", "-pk")
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """With ``id``: mark that notice read and follow its link (a link on this site only). Without: mark all read."""
    raw = request.POST.get("id", "")
    if not raw:
        if mark_read(request.user):  # type: ignore[arg-type]
            messages.success(request, _("All notifications are marked read."))
        return redirect("core:notifications")
    notice = _own(request).filter(pk=int(raw)).first() if raw.isdigit() else None
    if notice is None:
        raise Http404
    mark_read(request.user, [notice.pk])  # type: ignore[arg-type]
    safe = url_has_allowed_host_and_scheme(
        notice.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if notice.url and safe:
        return redirect(notice.url)
    return redirect("core:notifications")
