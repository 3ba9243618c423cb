"""API shapes of tenancy data."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str
    country: str
    website: str

    @staticmethod
    def resolve_country(obj: object) -> str:
        return str(getattr(obj, "country", "") or "")


class ProgramOut(Schema):
    id: int
    name: str
    slug: str
    status: str


class PartnershipOut(Schema):
    id: int
    status: str
    partner_type: str
    tier: str
    partner: OrganizationOut
    program: ProgramOut
    created_at: datetime
    updated_at: datetime
