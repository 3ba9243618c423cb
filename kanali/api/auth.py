"""Bearer-token authentication: a token is one membership in one vendor's workspace."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited
from ninja.security import HttpBearer

from kanali.accounts.models import ApiToken
from kanali.core.http import client_ip
from kanali.core.models import Partnership
from kanali.core.roles import PARTNER_ROLES, VENDOR_ROLES, Perm
from kanali.core.workspace import Kind, Workspace

#: Failed bearer attempts allowed per client address.
BAD_TOKEN_RATE = "30/m"  # noqa: S105 - a rate, not a secret
#: Touch ``last_used_at`` at most this often, so reads do not each write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Workspace | None:
        # Deliberately cross-tenant: the token itself names its vendor.
        api_token = (
            ApiToken.unscoped.select_related("user", "membership__organization", "vendor")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if api_token is None:
            # Tokens are 256-bit random, but a client looping on a bad token is still throttled.
            if is_ratelimited(request, group="api-bad-token", key="ip", rate=BAD_TOKEN_RATE, increment=True):
                raise Ratelimited
            return None
        membership = api_token.membership
        kind: Kind
        if membership.role in VENDOR_ROLES and membership.organization_id == api_token.vendor_id:
            kind = "vendor"
        elif membership.role in PARTNER_ROLES and (
            Partnership.objects.for_vendor(api_token.vendor)
            .filter(partner_id=membership.organization_id, status__in=Partnership.PORTAL_STATUSES)
            .exists()
        ):
            kind = "partner"
        else:
            return None
        workspace = Workspace(
            user=api_token.user, membership=membership, vendor=api_token.vendor, kind=kind, ip=client_ip(request)
        )
        if not workspace.can(Perm.USE_API):
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.unscoped.filter(pk=api_token.pk).update(last_used_at=now)
        request.workspace = workspace  # type: ignore[attr-defined]
        return workspace
