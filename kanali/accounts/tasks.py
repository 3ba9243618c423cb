"""Background work of the accounts app."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from kanali.accounts.models import Invitation


@task()
def send_invitation_email(invitation_id: int, accept_url: str, language: str = "en") -> None:
    invitation = (
        Invitation.objects.select_related("organization", "vendor", "program", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_pending:
        return
    with translation.override(language):
        context = {"invitation": invitation, "accept_url": accept_url}
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
