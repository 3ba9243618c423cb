"""The conflict check against the database: what counts, what each side sees, and the cached index staying current."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kanali.deals import index, services_pipeline
from kanali.deals.models import Account, ConflictLock, Deal, DealRegistration
from kanali.leads.models import Lead
from tests.conftest import World, api_key, workspace_for
from tests.deals.routes_api import approve, fresh_index, open_deal, submit  # noqa: F401
from tests.factories import LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


def kinds(reg: DealRegistration) -> list[tuple[str, str]]:
    return [(c["kind"], c["reason"]) for c in reg.conflicts]


def test_an_account_matches_by_vat_by_domain_and_by_a_greek_name(world: World) -> None:
    a = world.a
    Account.objects.create(vendor=a.vendor, name="Unrelated Name", vat_number="EL094014201", country="GR")
    Account.objects.create(vendor=a.vendor, name="Other", domain="alfa.gr")
    Account.objects.create(vendor=a.vendor, name="ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ Α.Ε.")
    reg = submit(a, company="Alfa Pliroforiki SA", domain="www.alfa.gr", vat_number="094014201")
    assert reg.in_conflict
    assert sorted(kinds(reg)) == [("account", "domain"), ("account", "name"), ("account", "vat")]
    by_reason = {c["reason"]: c for c in reg.conflicts}
    assert by_reason["name"]["label"] == "ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ Α.Ε." and by_reason["name"]["score"] >= 88
    assert by_reason["vat"]["score"] == 100


def test_other_vendors_records_never_match(world: World) -> None:
    Account.objects.create(vendor=world.b.vendor, name="Alfa Pliroforiki SA", domain="alfa-pliroforiki.gr")
    submit(world.b, 0)
    reg = submit(world.a)
    assert not reg.in_conflict and reg.conflicts == []


def test_another_partners_registration_and_open_deal_match(world: World) -> None:
    a = world.a
    deal = open_deal(a, 0)
    reg = submit(a, 1, company="Alfa Pliroforiki Ltd", domain="")
    found = {c["kind"]: c for c in reg.conflicts}
    assert {"account", "deal", "registration"} <= set(found)
    assert found["deal"]["id"] == deal.pk and found["deal"]["owner"] == a.partners[0].partnership.pk
    assert found["registration"]["owner_name"] == a.partners[0].org.name


def test_closed_records_stop_counting(world: World) -> None:
    a = world.a
    deal = open_deal(a, 0, company="Beta Systems", domain="beta.example")
    services_pipeline.deal_lost(workspace=workspace_for(a.owner, a.vendor), deal=deal, reason="Budget")
    DealRegistration.objects.for_vendor(a.vendor).filter(pk=deal.registration_id).update(
        status=DealRegistration.Status.EXPIRED
    )
    Account.objects.for_vendor(a.vendor).delete()
    reg = submit(a, 1, company="Beta Systems", domain="beta.example")
    assert not reg.in_conflict, reg.conflicts


def test_a_protected_registration_stops_counting_once_its_protection_ended(world: World) -> None:
    a = world.a
    first = approve(a, submit(a, 0, company="Gamma Foods", domain=""))
    Account.objects.for_vendor(a.vendor).delete()
    Deal.objects.for_vendor(a.vendor).update(status=Deal.Status.LOST)
    DealRegistration.objects.for_vendor(a.vendor).filter(pk=first.pk).update(
        protected_until=timezone.localdate() - timedelta(days=1), updated_at=timezone.now()
    )
    assert not submit(a, 1, company="Gamma Foods", domain="").in_conflict


def test_open_leads_match_but_not_the_partners_own_lead(world: World) -> None:
    a = world.a
    own = LeadFactory(program=a.program, company="Delta Marine S.A.", partnership=a.partners[0].partnership)
    other = LeadFactory(program=a.program, company="Delta Marine SA", status=Lead.Status.ACCEPTED)
    LeadFactory(program=a.program, company="Delta Marine", status=Lead.Status.DISQUALIFIED)
    reg = submit(a, 0, company="Delta Marine", domain="")
    leads = sorted(c["id"] for c in reg.conflicts if c["kind"] == "lead")
    assert leads == sorted([own.pk, other.pk])
    assert reg.in_conflict  # because of the other lead
    Lead.objects.for_vendor(a.vendor).filter(pk=other.pk).update(status=Lead.Status.CONVERTED)
    reg = submit(a, 0, company="Delta Marine", domain="")
    assert [c["id"] for c in reg.conflicts if c["kind"] == "lead"] == [own.pk]
    assert not any(c["kind"] == "registration" and c["owner"] != a.partners[0].partnership.pk for c in reg.conflicts)


def test_the_cached_index_sees_rows_written_after_it_was_built(world: World) -> None:
    a = world.a
    assert not submit(a, 0, company="Epsilon Labs", domain="").in_conflict
    lock = ConflictLock.objects.for_vendor(a.vendor).get()
    size = index.size(vendor_id=a.vendor.pk, generation=lock.pk)
    Account.objects.create(vendor=a.vendor, name="Zeta Robotics GmbH")
    reg = submit(a, 1, company="Zeta Robotics", domain="")
    assert [c["kind"] for c in reg.conflicts] == ["account"]
    assert index.size(vendor_id=a.vendor.pk, generation=lock.pk) == size + 2  # the account and registration 2


def test_the_partner_api_never_shows_whose_record_conflicts(world: World, client: Client) -> None:
    a = world.a
    first = submit(a, 0)
    second = submit(a, 1)
    assert second.in_conflict

    def get(key: str) -> dict:
        url = f"/api/v1/deal-registrations/{second.pk}"
        return client.get(url, headers={"Authorization": f"Bearer {key}"}).json()

    partner_view = get(api_key(a.partners[1].admin, a.vendor, "partner"))
    assert partner_view["in_conflict"] is True
    assert partner_view["conflict_message"] == "This registration conflicts with an existing record."
    assert partner_view["conflicts"] == [] and partner_view["account_id"] is None
    assert a.partners[0].org.name not in str(partner_view)
    listed = client.get(
        "/api/v1/deal-registrations",
        headers={"Authorization": f"Bearer {api_key(a.partners[1].sales, a.vendor, 'partner')}"},
    ).json()
    assert a.partners[0].org.name not in str(listed) and str(first.pk) not in str(listed["items"][0]["conflicts"])

    vendor_view = get(api_key(a.owner, a.vendor))
    assert vendor_view["conflicts"][0]["kind"] == "registration"
    assert vendor_view["conflicts"][0]["id"] == first.pk
    assert vendor_view["conflicts"][0]["owner_name"] == a.partners[0].org.name
