"""The demo's applications: every state for both vendors, scored, and loaded once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kanali.core.models import Organization
from kanali.demo import partners_applications
from kanali.partners.models_applications import Application, ApplicationScore

pytestmark = pytest.mark.django_db


def test_demo_applications_cover_every_state_and_are_scored() -> None:
    call_command("demo", stdout=StringIO())
    for slug in ("nefeli", "voltera"):
        vendor = Organization.objects.get(slug=slug)
        apps = list(Application.objects.for_vendor(vendor))
        assert {a.status for a in apps} == set(Application.Status.values)
        assert all(a.total_score is not None for a in apps)
        reviewed = [a for a in apps if a.status != Application.Status.SUBMITTED]
        assert ApplicationScore.objects.for_vendor(vendor).filter(application__in=reviewed).count() > 0
        approved = [a for a in apps if a.status == Application.Status.APPROVED]
        assert all(a.partnership_id and a.organization_id for a in approved)
    before = Application.unscoped.count()
    partners_applications.load()
    assert Application.unscoped.count() == before
