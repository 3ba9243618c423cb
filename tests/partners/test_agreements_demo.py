"""The demo's agreements and onboarding: open items to show, evidence kept, and loading twice changes nothing."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command

from kanali.core.models import Organization, Partnership, Program
from kanali.demo import partners_agreements
from kanali.partners import selectors_agreements as sel
from kanali.partners.models_agreements import (
    AgreementAcceptance,
    AgreementTemplate,
    OnboardingProgress,
    OnboardingStep,
    PartnershipMilestones,
)

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    models = (AgreementTemplate, AgreementAcceptance, OnboardingStep, OnboardingProgress, PartnershipMilestones)
    return tuple(m.unscoped.count() for m in models)  # type: ignore[attr-defined]


def test_demo_agreements_and_onboarding() -> None:
    call_command("demo", stdout=StringIO())
    before = counts()
    partners_agreements.load()
    assert counts() == before

    voltera = Organization.objects.get(slug="voltera")
    resellers = Program.objects.for_vendor(voltera).get(slug="resellers")
    versions = AgreementTemplate.objects.for_vendor(voltera).filter(program=resellers, status="published")
    assert sorted(versions.values_list("version", flat=True)) == [1, 2]
    live = list(
        Partnership.objects.for_vendor(voltera)
        .filter(program=resellers, status__in=Partnership.PORTAL_STATUSES)
        .select_related("partner")
    )
    states = sel.agreement_states(resellers, live).values()
    pending = [s for s in states if not s.accepted]
    assert 3 <= len(pending) < len(live) / 2
    for acceptance in AgreementAcceptance.objects.for_vendor(voltera)[:5]:
        assert acceptance.sha256 == hashlib.sha256(acceptance.rendered_text.encode()).hexdigest()
        assert acceptance.ip and acceptance.user_agent
    nefeli = Organization.objects.get(slug="nefeli")
    assert OnboardingStep.objects.for_vendor(nefeli).filter(kind="custom").count() == 1
    assert PartnershipMilestones.objects.for_vendor(nefeli).exclude(activated_at=None).count() > 5
