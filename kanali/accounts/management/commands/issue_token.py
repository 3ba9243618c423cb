"""``manage.py issue_token EMAIL [--workspace SLUG] [--name NAME]`` prints a new API token alone."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kanali.accounts.models import User
from kanali.accounts.services import token_create
from kanali.core.workspace import Workspace, list_workspaces, resolve_workspace


class Command(BaseCommand):
    help = "Issue an API token for a user in one workspace and print it (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--workspace", help="Vendor slug; needed when the user has several workspaces.")
        parser.add_argument("--name", default="Command line", help="A label shown in the token list.")

    def handle(self, *args: Any, email: str, workspace: str | None, name: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with e-mail {email}.")
        links = list_workspaces(user)
        if workspace:
            links = [link for link in links if link.vendor.slug == workspace]
        if not links:
            raise CommandError(f"{email} has no workspace{f' in {workspace}' if workspace else ''}.")
        if len(links) > 1:
            choices = ", ".join(sorted({f"{link.vendor.slug} ({link.kind})" for link in links}))
            raise CommandError(f"{email} has several workspaces; pass --workspace with one of: {choices}")
        link = links[0]
        ws: Workspace | None = resolve_workspace(user, link.kind, link.vendor.slug)
        if ws is None:  # pragma: no cover - list_workspaces and resolve agree
            raise CommandError("Workspace not found.")
        self.stdout.write(token_create(workspace=ws, name=name).key)
