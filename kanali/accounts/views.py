"""Team, invitations and API token screens, shared by the console and the portal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from kanali.accounts import selectors, services
from kanali.accounts.forms import (
    AcceptSignupForm,
    ChangeRoleForm,
    InviteMemberForm,
    InvitePartnerForm,
    TokenForm,
)
from kanali.accounts.models import User
from kanali.accounts.services import InvitationError
from kanali.accounts.tokens import InvitationTokenError
from kanali.core import selectors as core_selectors
from kanali.core.access import partner_view, vendor_view
from kanali.core.http import client_ip
from kanali.core.roles import Perm, invitable_roles
from kanali.core.services import LastAdminError, member_change_role, member_remove
from kanali.core.workspace import Workspace

INVITATION_ERRORS = {
    "expired": gettext_lazy("This invitation has expired. Ask the person who invited you to send a new one."),
    "invalid": gettext_lazy("This invitation link is not valid. Check that you copied the whole link."),
    "used": gettext_lazy("This invitation has already been used. Sign in to continue."),
    "revoked": gettext_lazy("This invitation was withdrawn by the organization that sent it."),
    "wrong_user": gettext_lazy("This invitation was sent to another e-mail address."),
    "account_exists": gettext_lazy("An account with this e-mail address exists. Sign in to accept the invitation."),
}


def _url(ws: Workspace, name: str, **kwargs: object) -> str:
    prefix = "vendor" if ws.is_vendor else "portal"
    return reverse(f"accounts:{prefix}_{name}", kwargs={"vendor_slug": ws.vendor.slug, **kwargs})


def _base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


# --- Team -------------------------------------------------------------------


def team(request: HttpRequest, ws: Workspace) -> HttpResponse:
    roles = invitable_roles(ws.role)
    form = InviteMemberForm(request.POST or None, roles=roles) if roles else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.invite_member(workspace=ws, base_url=_base_url(request), **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % form.cleaned_data)
            return redirect(_url(ws, "team"))
    members = core_selectors.list_staff(ws) if ws.is_vendor else core_selectors.list_colleagues(ws)
    return render(
        request,
        "accounts/team.html",
        {
            "ws": ws,
            "members": members,
            "invitations": selectors.list_invitations(ws).filter(accepted_at__isnull=True, revoked_at__isnull=True),
            "form": form,
            "can_manage": bool(roles),
        },
    )


def _add_errors(form: Form, exc: ValidationError) -> None:
    """Put a service's validation errors beside the fields they name."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def member_edit(request: HttpRequest, ws: Workspace, membership_id: int) -> HttpResponse:
    member = core_selectors.get_member(ws, membership_id)
    roles = invitable_roles(ws.role)
    form = ChangeRoleForm(request.POST or None, roles=roles, initial={"role": member.role})
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                member_remove(workspace=ws, membership=member)
                messages.success(request, _("%(name)s was removed.") % {"name": member.user})
                return redirect(_url(ws, "team"))
            if form.is_valid():
                member_change_role(workspace=ws, membership=member, role=form.cleaned_data["role"])
                messages.success(request, _("Role updated."))
                return redirect(_url(ws, "team"))
        except LastAdminError:
            form.add_error(None, _("The organization needs at least one owner or admin; promote someone else first."))
    return render(request, "accounts/member_edit.html", {"ws": ws, "member": member, "form": form})


@require_POST
def invitation_revoke(request: HttpRequest, ws: Workspace, invitation_id: int) -> HttpResponse:
    invitation = selectors.get_invitation(ws, invitation_id)
    services.invitation_revoke(workspace=ws, invitation=invitation)
    messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect(request.POST.get("next") or _url(ws, "team"))


@vendor_view(Perm.INVITE_PARTNERS)
def invite_partner(request: HttpRequest, ws: Workspace) -> HttpResponse:
    form = InvitePartnerForm(request.POST or None, programs=core_selectors.list_programs(ws))
    if request.method == "POST" and form.is_valid():
        try:
            result = services.invite_partner(workspace=ws, base_url=_base_url(request), **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(company)s was added to %(program)s and its admin was invited.")
                % {"company": result.partnership.partner, "program": result.partnership.program},
            )
            return redirect("core:partner_detail", vendor_slug=ws.vendor.slug, partnership_id=result.partnership.pk)
    return render(
        request,
        "accounts/invite_partner.html",
        {"ws": ws, "form": form, "invitations": selectors.list_partner_invitations(ws)[:20]},
    )


# --- API tokens ---------------------------------------------------------------


@ratelimit(key="user", rate="20/h", method="POST", block=True)
def tokens(request: HttpRequest, ws: Workspace) -> HttpResponse:
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        issued = services.token_create(workspace=ws, name=form.cleaned_data["name"])
        form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {"ws": ws, "form": form, "issued": issued, "tokens": selectors.list_tokens(ws)},
    )


@require_POST
def token_revoke(request: HttpRequest, ws: Workspace, token_id: int) -> HttpResponse:
    token = selectors.get_token(ws, token_id)
    services.token_revoke(workspace=ws, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect(_url(ws, "tokens"))


# Each screen exists in the vendor console and in the partner portal.
vendor_team = vendor_view()(team)
portal_team = partner_view()(team)
vendor_member_edit = vendor_view(Perm.MANAGE_STAFF)(member_edit)
portal_member_edit = partner_view(Perm.INVITE_COLLEAGUES)(member_edit)
vendor_invitation_revoke = vendor_view(Perm.MANAGE_STAFF)(invitation_revoke)
portal_invitation_revoke = partner_view(Perm.INVITE_COLLEAGUES)(invitation_revoke)
vendor_tokens = vendor_view(Perm.USE_API)(tokens)
portal_tokens = partner_view(Perm.USE_API)(tokens)
vendor_token_revoke = vendor_view(Perm.USE_API)(token_revoke)
portal_token_revoke = partner_view(Perm.USE_API)(token_revoke)


# --- Accepting an invitation ------------------------------------------------------


@ratelimit(key="ip", rate="30/m", block=True)
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = selectors.get_invitation_by_token(token)
        services.check_invitation(invitation)
    except (InvitationTokenError, InvitationError) as exc:
        return render(request, "accounts/invitation_error.html", {"message": INVITATION_ERRORS[exc.code]}, status=410)

    user = request.user if request.user.is_authenticated else None
    has_account = user is not None or User.objects.filter(email__iexact=invitation.email).exists()
    signup_form = None
    if user is None and not has_account:
        signup_form = AcceptSignupForm(request.POST or None, email=invitation.email)

    if request.method == "POST":
        try:
            if user is not None:
                membership = services.invitation_accept(invitation=invitation, user=user, ip=client_ip(request))  # type: ignore[arg-type]
            elif signup_form is not None and signup_form.is_valid():
                user, membership = services.signup_and_accept(
                    invitation=invitation,
                    first_name=signup_form.cleaned_data["first_name"],
                    last_name=signup_form.cleaned_data["last_name"],
                    password=signup_form.cleaned_data["password1"],
                    ip=client_ip(request),
                )
                login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
            else:
                membership = None
        except InvitationError as exc:
            messages.error(request, INVITATION_ERRORS[exc.code])
            membership = None
        if membership is not None:
            messages.success(request, _("Welcome to %(org)s.") % {"org": membership.organization})
            target = "core:vendor_home" if membership.is_vendor_role else "core:portal_home"
            return redirect(target, vendor_slug=invitation.vendor.slug)

    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "invitation": invitation,
            "signup_form": signup_form,
            "has_account": has_account,
            "wrong_user": user is not None and user.email.lower() != invitation.email.lower(),
        },
    )
