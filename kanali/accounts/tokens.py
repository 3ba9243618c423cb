"""Signed invitation links and API token generation."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core import signing

INVITATION_SALT = "kanali.accounts.invitation"
API_TOKEN_PREFIX = "kn"  # noqa: S105 - a label, not a secret


class InvitationTokenError(Exception):
    """``code`` is ``expired`` or ``invalid``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def make_invitation_token(invitation_id: int, nonce: str) -> str:
    return signing.dumps({"i": invitation_id, "n": nonce}, salt=INVITATION_SALT, compress=True)


def read_invitation_token(token: str) -> dict[str, Any]:
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise InvitationTokenError("expired") from exc
    except signing.BadSignature as exc:
        raise InvitationTokenError("invalid") from exc
    if not isinstance(payload, dict) or not {"i", "n"} <= payload.keys():
        raise InvitationTokenError("invalid")
    return payload


def new_api_key() -> tuple[str, str]:
    """``(prefix, full key)``: the prefix is shown in lists, the key only once."""
    prefix = secrets.token_hex(4)
    return prefix, f"{API_TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
