"""Roles and what each may do: the one table every permission check reads."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    CHANNEL_MANAGER = "channel_manager", _("Channel manager")
    PARTNER_ACCOUNT_MANAGER = "partner_account_manager", _("Partner account manager")
    FINANCE = "finance", _("Finance")
    SUPPORT_AGENT = "support_agent", _("Support agent")
    TRAINER = "trainer", _("Trainer")
    PARTNER_ADMIN = "partner_admin", _("Partner admin")
    PARTNER_SALES = "partner_sales", _("Partner sales")
    PARTNER_TECHNICAL = "partner_technical", _("Partner technical")


VENDOR_ROLES: frozenset[Role] = frozenset(
    {
        Role.OWNER,
        Role.CHANNEL_MANAGER,
        Role.PARTNER_ACCOUNT_MANAGER,
        Role.FINANCE,
        Role.SUPPORT_AGENT,
        Role.TRAINER,
    }
)
PARTNER_ROLES: frozenset[Role] = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_SALES, Role.PARTNER_TECHNICAL})


class Perm(StrEnum):
    # Vendor console
    VIEW_CONSOLE = "view_console"
    MANAGE_ORGANIZATION = "manage_organization"
    MANAGE_STAFF = "manage_staff"
    MANAGE_PROGRAMS = "manage_programs"
    VIEW_PARTNERS = "view_partners"
    MANAGE_PARTNERS = "manage_partners"
    INVITE_PARTNERS = "invite_partners"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_LEADS = "manage_leads"
    MANAGE_DEALS = "manage_deals"
    MANAGE_COMMISSIONS = "manage_commissions"
    APPROVE_PAYMENTS = "approve_payments"
    # Partner portal
    VIEW_PORTAL = "view_portal"
    MANAGE_PARTNER_PROFILE = "manage_partner_profile"
    INVITE_COLLEAGUES = "invite_colleagues"
    WORK_LEADS = "work_leads"
    REGISTER_DEALS = "register_deals"
    VIEW_STATEMENTS = "view_statements"
    # Both sides
    USE_API = "use_api"


_ALL_STAFF = {Perm.VIEW_CONSOLE, Perm.VIEW_PARTNERS, Perm.USE_API}

PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.OWNER: frozenset(
        _ALL_STAFF
        | {
            Perm.MANAGE_ORGANIZATION,
            Perm.MANAGE_STAFF,
            Perm.MANAGE_PROGRAMS,
            Perm.MANAGE_PARTNERS,
            Perm.INVITE_PARTNERS,
            Perm.VIEW_AUDIT_LOG,
            Perm.MANAGE_LEADS,
            Perm.MANAGE_DEALS,
            Perm.MANAGE_COMMISSIONS,
            Perm.APPROVE_PAYMENTS,
        }
    ),
    Role.CHANNEL_MANAGER: frozenset(
        _ALL_STAFF
        | {
            Perm.MANAGE_PROGRAMS,
            Perm.MANAGE_PARTNERS,
            Perm.INVITE_PARTNERS,
            Perm.VIEW_AUDIT_LOG,
            Perm.MANAGE_LEADS,
            Perm.MANAGE_DEALS,
            Perm.MANAGE_COMMISSIONS,
        }
    ),
    Role.PARTNER_ACCOUNT_MANAGER: frozenset(
        _ALL_STAFF | {Perm.MANAGE_PARTNERS, Perm.INVITE_PARTNERS, Perm.MANAGE_LEADS, Perm.MANAGE_DEALS}
    ),
    Role.FINANCE: frozenset(_ALL_STAFF | {Perm.VIEW_AUDIT_LOG, Perm.MANAGE_COMMISSIONS, Perm.APPROVE_PAYMENTS}),
    Role.SUPPORT_AGENT: frozenset(_ALL_STAFF),
    Role.TRAINER: frozenset(_ALL_STAFF),
    Role.PARTNER_ADMIN: frozenset(
        {
            Perm.VIEW_PORTAL,
            Perm.MANAGE_PARTNER_PROFILE,
            Perm.INVITE_COLLEAGUES,
            Perm.USE_API,
            Perm.WORK_LEADS,
            Perm.REGISTER_DEALS,
            Perm.VIEW_STATEMENTS,
        }
    ),
    Role.PARTNER_SALES: frozenset({Perm.VIEW_PORTAL, Perm.USE_API, Perm.WORK_LEADS, Perm.REGISTER_DEALS}),
    Role.PARTNER_TECHNICAL: frozenset({Perm.VIEW_PORTAL, Perm.USE_API}),
}


def role_can(role: str, perm: Perm) -> bool:
    return perm in PERMISSIONS.get(Role(role), frozenset())


def invitable_roles(inviter_role: str) -> list[Role]:
    """Roles an inviter may hand out: staff invite staff, partner admins invite colleagues."""
    role = Role(inviter_role)
    if role_can(role, Perm.MANAGE_STAFF):
        return [r for r in Role if r in VENDOR_ROLES]
    if role_can(role, Perm.INVITE_COLLEAGUES):
        return [r for r in Role if r in PARTNER_ROLES]
    return []
