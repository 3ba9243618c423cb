"""Writes of the accounts app: invitations and API tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kanali.accounts.models import ApiToken, Invitation, User
from kanali.accounts.tasks import send_invitation_email
from kanali.accounts.tokens import make_invitation_token, new_api_key
from kanali.core import audit, hooks
from kanali.core.models import Membership, Organization, Partnership, Program
from kanali.core.roles import PARTNER_ROLES, Perm, Role, invitable_roles
from kanali.core.services import require, unique_slug
from kanali.core.workspace import Kind, Workspace


class InvitationError(Exception):
    """An invitation cannot be accepted; ``code`` says why (used, revoked, expired, wrong_user)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _create_invitation(
    *,
    workspace: Workspace,
    kind: str,
    organization: Organization,
    email: str,
    role: str,
    program: Program | None = None,
    base_url: str = "",
) -> Invitation:
    invitation = Invitation.objects.create(
        kind=kind,
        organization=organization,
        vendor=workspace.vendor,
        program=program,
        email=email.strip().lower(),
        role=role,
        invited_by=workspace.user,
        nonce=secrets.token_hex(16),
        expires_at=timezone.now() + settings.INVITATION_MAX_AGE,
    )
    audit.record(
        workspace=workspace,
        action="invitation.create",
        obj=invitation,
        changes={"email": [None, invitation.email], "role": [None, role]},
    )
    token = make_invitation_token(invitation.pk, invitation.nonce)
    accept_url = base_url.rstrip("/") + reverse("accounts:invitation_accept", kwargs={"token": token})
    language = translation.get_language() or "en"
    transaction.on_commit(lambda: send_invitation_email.enqueue(invitation.pk, accept_url, language))
    return invitation


def _check_not_member(organization: Organization, email: str) -> None:
    if Membership.objects.filter(organization=organization, user__email__iexact=email.strip()).exists():
        raise ValidationError({"email": _("This person is already a member of %(org)s.") % {"org": organization}})


@transaction.atomic
def invite_member(*, workspace: Workspace, email: str, role: str, base_url: str = "") -> Invitation:
    """Vendor staff invite staff; a partner admin invites colleagues. Same organization only."""
    require(workspace, Perm.MANAGE_STAFF if workspace.is_vendor else Perm.INVITE_COLLEAGUES)
    if Role(role) not in invitable_roles(workspace.role):
        raise ValidationError({"role": _("You cannot invite people with this role.")})
    _check_not_member(workspace.organization, email)
    kind = Invitation.Kind.STAFF if workspace.is_vendor else Invitation.Kind.COLLEAGUE
    return _create_invitation(
        workspace=workspace,
        kind=kind,
        organization=workspace.organization,
        email=email,
        role=role,
        base_url=base_url,
    )


@dataclass(frozen=True)
class PartnerInvite:
    invitation: Invitation
    partnership: Partnership
    existing_organization: bool


@transaction.atomic
def invite_partner(
    *,
    workspace: Workspace,
    program: Program,
    company_name: str,
    country: str,
    email: str,
    partner_type: str = "",
    base_url: str = "",
) -> PartnerInvite:
    """Invite a partner company's admin into a program.

    A company already on Kanali (the invitee administers one) joins with its
    existing organization and login; otherwise a new partner organization is
    created. The partnership starts as approved.
    """
    require(workspace, Perm.INVITE_PARTNERS)
    if program.vendor_id != workspace.vendor.pk:
        raise PermissionDenied
    existing = (
        Membership.objects.select_related("organization")
        .filter(user__email__iexact=email.strip(), role=Role.PARTNER_ADMIN, organization__is_partner=True)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        organization = existing.organization
    else:
        organization = Organization.objects.create(
            name=company_name,
            slug=unique_slug(company_name, taken=Organization.objects.all(), fallback="partner"),
            country=country,
            is_partner=True,
        )
    if Partnership.objects.for_vendor(workspace.vendor).filter(program=program, partner=organization).exists():
        raise ValidationError({"email": _("%(org)s is already in this program.") % {"org": organization}})
    partnership = Partnership.objects.create(
        vendor=workspace.vendor,
        program=program,
        partner=organization,
        status=Partnership.Status.APPROVED,
        partner_type=partner_type,
    )
    audit.record(workspace=workspace, action="partnership.create", obj=partnership)
    invitation = invite_partner_admin(
        workspace=workspace, organization=organization, program=program, email=email, base_url=base_url
    )
    return PartnerInvite(invitation=invitation, partnership=partnership, existing_organization=existing is not None)


@transaction.atomic
def invite_partner_admin(
    *, workspace: Workspace, organization: Organization, program: Program, email: str, base_url: str = ""
) -> Invitation:
    """Invite the admin of a partner organization that already has a partnership in ``program``."""
    require(workspace, Perm.INVITE_PARTNERS)
    if program.vendor_id != workspace.vendor.pk:
        raise PermissionDenied
    return _create_invitation(
        workspace=workspace,
        kind=Invitation.Kind.PARTNER_ADMIN,
        organization=organization,
        email=email,
        role=Role.PARTNER_ADMIN,
        program=program,
        base_url=base_url,
    )


@transaction.atomic
def invitation_revoke(*, workspace: Workspace, invitation: Invitation) -> Invitation:
    require(workspace, Perm.MANAGE_STAFF if workspace.is_vendor else Perm.INVITE_COLLEAGUES)
    if invitation.kind == Invitation.Kind.PARTNER_ADMIN:
        require(workspace, Perm.INVITE_PARTNERS)
    inv = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if inv.accepted_at is None and inv.revoked_at is None:
        inv.revoked_at = timezone.now()
        inv.save(update_fields=["revoked_at"])
        audit.record(workspace=workspace, action="invitation.revoke", obj=inv)
    return inv


def check_invitation(invitation: Invitation) -> None:
    if invitation.revoked_at is not None:
        raise InvitationError("revoked")
    if invitation.accepted_at is not None:
        raise InvitationError("used")
    if invitation.expires_at <= timezone.now():
        raise InvitationError("expired")


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User, ip: str | None = None) -> Membership:
    """Join the organization; the row lock makes a second acceptance fail as ``used``."""
    inv = Invitation.objects.select_for_update().select_related("organization", "vendor").get(pk=invitation.pk)
    check_invitation(inv)
    if user.email.lower() != inv.email.lower():
        raise InvitationError("wrong_user")
    membership, created = Membership.objects.get_or_create(
        user=user, organization=inv.organization, defaults={"role": inv.role}
    )
    inv.accepted_at = timezone.now()
    inv.accepted_by = user
    inv.save(update_fields=["accepted_at", "accepted_by"])
    # The link proved the address: mark it verified so allauth lets them in.
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    kind: Kind = "partner" if membership.role in PARTNER_ROLES else "vendor"
    workspace = Workspace(user=user, membership=membership, vendor=inv.vendor, kind=kind, ip=ip)
    audit.record(
        workspace=workspace,
        action="invitation.accept",
        obj=inv,
        changes={"membership": [None, "created" if created else "existing"]},
    )
    if created:
        hooks.organization_changed(inv.organization)
    return membership


@transaction.atomic
def signup_and_accept(
    *, invitation: Invitation, first_name: str, last_name: str, password: str, ip: str | None = None
) -> tuple[User, Membership]:
    """Create the invitee's account from the invitation and accept it in one step."""
    check_invitation(invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError("account_exists")
    user = User.objects.create_user(
        email=invitation.email, password=password, first_name=first_name, last_name=last_name
    )
    return user, invitation_accept(invitation=invitation, user=user, ip=ip)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str


@transaction.atomic
def token_create(*, workspace: Workspace, name: str) -> IssuedToken:
    require(workspace, Perm.USE_API)
    prefix, key = new_api_key()
    token = ApiToken.objects.create(
        vendor=workspace.vendor,
        user=workspace.user,
        membership=workspace.membership,
        name=name.strip() or _("API token"),
        prefix=prefix,
        key_hash=ApiToken.hash_key(key),
    )
    audit.record(workspace=workspace, action="api_token.create", obj=token)
    return IssuedToken(token=token, key=key)


@transaction.atomic
def token_revoke(*, workspace: Workspace, token: ApiToken) -> ApiToken:
    locked = ApiToken.objects.for_vendor(workspace.vendor).select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(workspace=workspace, action="api_token.revoke", obj=locked)
    return locked
