"""Signed one-click links in the offer e-mail: accept or decline without signing in to the portal.

A token names one offer, the partnership it was made to and one action
(``accept`` or ``decline``), signed with the site's secret and a salt of its
own, so it cannot be turned into another action, another offer or another
partner's. It stops working at the offer's deadline, and in effect after
one use, because an answered offer is no longer pending. Acting on a token
goes through :func:`kanali.leads.services.offer_accept_by_token` /
:func:`~kanali.leads.services.offer_decline_by_token`.
"""

from __future__ import annotations

from django.core import signing
from django.utils import timezone

from kanali.leads.models import Offer

SALT = "kanali.leads.offer-link"
ACTIONS = ("accept", "decline")


def offer_link_token(offer: Offer, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown offer action {action!r}")
    payload = {"o": offer.pk, "p": offer.partnership_id, "a": action, "d": int(offer.deadline.timestamp())}
    return signing.dumps(payload, salt=f"{SALT}:{action}", compress=True)


def offer_from_token(token: str, action: str) -> Offer | None:
    """The pending offer the token was made for; ``None`` when forged, for another action, answered or past due."""
    if action not in ACTIONS or not token:
        return None
    try:
        payload = signing.loads(token, salt=f"{SALT}:{action}")
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("a") != action:
        return None
    offer_id, partnership_id = payload.get("o"), payload.get("p")
    if not isinstance(offer_id, int) or not isinstance(partnership_id, int):
        return None
    # System read by id: the id comes from our own signature, never from a guess.
    offer = (
        Offer.unscoped.select_related("lead", "lead__program", "partnership__partner", "vendor")
        .filter(pk=offer_id, partnership_id=partnership_id)
        .first()
    )
    if offer is None or offer.status != Offer.Status.PENDING or offer.deadline <= timezone.now():
        return None
    return offer


def offer_token_state(token: str, action: str) -> tuple[Offer | None, bool]:
    """``(offer, valid)``: the signed offer even when no longer pending (to tell the person why), and validity."""
    try:
        payload = signing.loads(token, salt=f"{SALT}:{action}")
    except signing.BadSignature:
        return None, False
    if not isinstance(payload, dict) or payload.get("a") != action:
        return None, False
    if not isinstance(payload.get("o"), int) or not isinstance(payload.get("p"), int):
        return None, False
    offer = (
        Offer.unscoped.select_related("lead", "lead__program", "partnership__partner", "vendor")  # signed id
        .filter(pk=payload["o"], partnership_id=payload["p"])
        .first()
    )
    if offer is None:
        return None, False
    return offer, offer.status == Offer.Status.PENDING and offer.deadline > timezone.now()
