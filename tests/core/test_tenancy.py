"""The tenancy rule in code: unscoped reads fail loudly, scoped reads see one vendor."""

from __future__ import annotations

import pytest
from django.test import Client

from kanali.core import selectors
from kanali.core.models import Partnership, Program
from kanali.core.tenancy import UnscopedQueryError
from tests.conftest import World, workspace_for
from tests.factories import PartnershipFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    "read",
    [
        lambda: list(Partnership.objects.all()),
        lambda: Partnership.objects.count(),
        lambda: Partnership.objects.exists(),
        lambda: Partnership.objects.filter(status="active").first(),
        lambda: Program.objects.get(slug="partners"),
        lambda: Partnership.objects.update(tier="gold"),
        lambda: Partnership.objects.all().delete(),
        lambda: list(Partnership.objects.iterator()),
    ],
)
def test_unscoped_read_raises(world: World, read: object) -> None:
    with pytest.raises(UnscopedQueryError):
        read()  # type: ignore[operator]


@pytest.mark.django_db
def test_for_vendor_sees_only_that_vendor(world: World) -> None:
    ids = set(Partnership.objects.for_vendor(world.a.vendor).values_list("vendor_id", flat=True))
    assert ids == {world.a.vendor.pk}
    assert Partnership.objects.for_vendor(world.a.vendor).filter(status="active").count() == 2


@pytest.mark.django_db
def test_related_manager_from_a_scoped_parent_works(world: World) -> None:
    program = Program.objects.for_vendor(world.a.vendor).get(slug="partners")
    assert program.partnerships.count() == 2


@pytest.mark.django_db
def test_unscoped_is_the_named_escape_hatch(world: World) -> None:
    assert Partnership.unscoped.count() == 4


@pytest.mark.django_db
def test_partner_selector_sees_only_its_own_live_partnerships(world: World) -> None:
    partner = world.a.partners[0]
    ws = workspace_for(partner.admin, world.a.vendor, "partner")
    assert list(selectors.list_partnerships(ws)) == [partner.partnership]
    vendor_ws = workspace_for(world.a.owner, world.a.vendor)
    assert selectors.list_partnerships(vendor_ws).count() == 2


@pytest.mark.django_db
def test_partner_loses_the_portal_when_terminated(world: World, client: Client) -> None:
    partner = world.a.partners[0]
    client.force_login(partner.admin)
    assert client.get("/p/acme/").status_code == 200
    Partnership.objects.for_vendor(world.a.vendor).filter(pk=partner.partnership.pk).update(status="terminated")
    assert client.get("/p/acme/").status_code == 404


@pytest.mark.django_db
def test_partner_in_two_programs_switches_between_vendors(world: World, client: Client) -> None:
    """One login, several vendors: the switcher lists both portals and each opens."""
    partner = world.a.partners[0]
    PartnershipFactory(program=world.b.program, partner=partner.org)
    client.force_login(partner.admin)
    home = client.get("/").content.decode()
    assert 'href="/p/acme/"' in home and 'href="/p/globex/"' in home
    assert client.get("/p/globex/").status_code == 200


@pytest.mark.django_db
def test_related_manager_of_a_shared_row_is_refused(world: World) -> None:
    """``organization.partnerships`` spans vendors, so it must be scoped like any read."""
    org = world.a.partners[0].org
    with pytest.raises(UnscopedQueryError):
        list(org.partnerships.all())
    assert org.partnerships.for_vendor(world.a.vendor).count() == 1


@pytest.mark.django_db
def test_filtering_on_one_vendor_counts_as_scoped(world: World) -> None:
    """Django's unique-constraint checks filter on every field of the constraint, vendor included."""
    assert Partnership.objects.filter(vendor=world.a.vendor).count() == 2
    with pytest.raises(UnscopedQueryError):
        Partnership.objects.filter(vendor__name="Acme").count()
    with pytest.raises(UnscopedQueryError):
        Partnership.objects.filter(vendor=None).count()
