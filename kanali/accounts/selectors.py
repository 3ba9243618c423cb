"""Reads of invitations and API tokens."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from kanali.accounts.models import ApiToken, Invitation
from kanali.accounts.tokens import InvitationTokenError, read_invitation_token
from kanali.core.workspace import Workspace


def list_invitations(workspace: Workspace) -> QuerySet[Invitation]:
    """Invitations to join the acting organization (staff, or a partner's colleagues)."""
    return (
        Invitation.objects.filter(organization=workspace.organization, vendor=workspace.vendor)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def list_partner_invitations(workspace: Workspace) -> QuerySet[Invitation]:
    """Invitations this vendor sent to partners' admins."""
    return (
        Invitation.objects.filter(vendor=workspace.vendor, kind=Invitation.Kind.PARTNER_ADMIN)
        .select_related("organization", "program", "invited_by")
        .order_by("-created_at")
    )


def get_invitation(workspace: Workspace, invitation_id: int) -> Invitation:
    qs = list_invitations(workspace)
    if workspace.is_vendor:
        qs = qs | list_partner_invitations(workspace)
    return get_object_or_404(qs, pk=invitation_id)


def get_invitation_by_token(token: str) -> Invitation:
    """The invitation a signed link points to; raises :class:`InvitationTokenError`."""
    payload = read_invitation_token(token)
    invitation = (
        Invitation.objects.select_related("organization", "vendor", "program")
        .filter(pk=payload["i"], nonce=payload["n"])
        .first()
    )
    if invitation is None:
        raise InvitationTokenError("invalid")
    return invitation


def list_tokens(workspace: Workspace) -> QuerySet[ApiToken]:
    """The acting user's own tokens in this workspace."""
    return ApiToken.objects.for_vendor(workspace.vendor).filter(membership=workspace.membership)


def get_token(workspace: Workspace, token_id: int) -> ApiToken:
    return get_object_or_404(list_tokens(workspace), pk=token_id)
