"""Notices to people: one in-app row per recipient, and the same text by e-mail after commit.

Apps call :func:`notify` inside their write's transaction; if the write rolls
back, nobody is told. The e-mail goes through a task so a slow mail server
never holds a request, and it is rendered in the language active at the call.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from kanali.core.models import Membership, Notification, Organization

if TYPE_CHECKING:
    from kanali.accounts.models import User


def notify(
    *,
    recipients: Iterable[User],
    vendor: Organization | None,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
    email_body: str | None = None,
) -> list[Notification]:
    """Store a notice for each recipient (duplicates dropped) and e-mail them once the transaction commits.

    ``url`` is a site path (``/p/acme/leads/3/``); the e-mail prefixes the
    site address. ``email_body`` replaces ``body`` in the e-mail (to add a
    signed one-click link that must not sit in the in-app copy).
    """
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient=user, vendor=vendor, kind=kind, title=title[:200], body=body, url=url)
            for user in people.values()
        ]
    )
    if email and people:
        language = translation.get_language() or settings.LANGUAGE_CODE
        addresses = sorted({user.email for user in people.values() if user.email})
        text = email_body if email_body is not None else body
        transaction.on_commit(lambda: send_notice_email.enqueue(title, text, url, addresses, language))
    return rows


def organization_people(organization: Organization | int, roles: Iterable[str] | None = None) -> list[User]:
    """Active users of an organization, optionally only in ``roles``."""
    memberships = Membership.objects.filter(organization=organization, user__is_active=True).select_related("user")
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return [m.user for m in memberships]


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.KANALI_SITE_URL.rstrip("/") + path


@task()
def send_notice_email(title: str, body: str, url: str, addresses: list[str], language: str = "en") -> None:
    with translation.override(language):
        link = absolute_url(url)
        text = f"{body}\n\n{link}\n" if link else f"{body}\n"
        for address in addresses:
            send_mail(f"[Kanali] {title}", text, settings.DEFAULT_FROM_EMAIL, [address])


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all of them when ``ids`` is None); returns how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
