"""The management demo data: notes, status reasons, directory opt-ins and one inactive partner; idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kanali.core.models import AuditLog, Organization
from kanali.demo import partners_management
from kanali.partners import selectors_management as selectors
from kanali.partners.models_management import DirectoryProfile, LocatorListing, PartnerNote, PartnershipStatusChange
from tests.conftest import workspace_for

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "notes": PartnerNote.unscoped.count(),
        "changes": PartnershipStatusChange.unscoped.count(),
        "profiles": DirectoryProfile.objects.count(),
        "listings": LocatorListing.unscoped.filter(listed_in_locator=True).count(),
        "audit": AuditLog.objects.count(),
    }


def test_demo_management_data_is_there_and_idempotent() -> None:
    call_command("demo", stdout=StringIO())
    first = counts()
    assert first["notes"] >= 10 and first["changes"] == 4
    assert first["profiles"] == len(partners_management.PROFILES)
    assert DirectoryProfile.objects.filter(listed_in_ecosystem=True).count() >= 5
    assert first["listings"] >= 8

    nefeli = Organization.objects.get(slug="nefeli")
    owner = nefeli.memberships.get(role="owner").user
    ws = workspace_for(owner, nefeli)
    inactive = selectors.list_managed_partnerships(ws, activity="inactive")
    assert [p.partner.name for p in inactive] == ["Μεσσηνία Ψηφιακή Ι.Κ.Ε."]
    program = inactive[0].program
    assert program.slug == "partners"
    assert selectors.list_locator_partners(program).count() >= 4

    partners_management.load()
    assert counts() == first
