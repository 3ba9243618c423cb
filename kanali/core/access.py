"""View decorators that resolve the workspace from the URL and check the role table.

Not a member of that vendor (or not its partner) is 404: the console or
portal does not exist for you. A member whose role lacks the permission gets
403. Vendors that require MFA send staff without an authenticator to set one up.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from kanali.core.http import client_ip
from kanali.core.roles import Perm
from kanali.core.workspace import Kind, Workspace, resolve_workspace

View = Callable[..., HttpResponse]


def _workspace_view(kind: Kind, perm: Perm) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, vendor_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            workspace = resolve_workspace(request.user, kind, vendor_slug, ip=client_ip(request))  # type: ignore[arg-type]
            if workspace is None:
                raise Http404
            if kind == "vendor" and workspace.vendor.require_mfa and not is_mfa_enabled(request.user):
                messages.warning(
                    request,
                    _("%(vendor)s requires two-factor authentication. Set up an authenticator app to continue.")
                    % {"vendor": workspace.vendor.name},
                )
                return redirect("mfa_activate_totp")
            if not workspace.can(perm):
                raise PermissionDenied
            request.workspace = workspace  # type: ignore[attr-defined]
            return view(request, workspace, *args, **kwargs)

        return wrapper

    return decorator


def vendor_view(perm: Perm = Perm.VIEW_CONSOLE) -> Callable[[View], View]:
    """``/v/<vendor_slug>/…``: the view receives ``(request, workspace, **kwargs)``."""
    return _workspace_view("vendor", perm)


def partner_view(perm: Perm = Perm.VIEW_PORTAL) -> Callable[[View], View]:
    """``/p/<vendor_slug>/…``: the view receives ``(request, workspace, **kwargs)``."""
    return _workspace_view("partner", perm)


__all__ = ["Workspace", "partner_view", "vendor_view"]
