"""The directory: the partner's opt-in page, the public partner locator, and the ecosystem directory."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kanali.core.models import AuditLog, Partnership
from kanali.core.portal import widgets_for
from kanali.partners import services_management as services
from kanali.partners.models_management import DirectoryProfile, LocatorListing
from tests.conftest import World, queries_for, workspace_for
from tests.designer.routes_publishing import published_program
from tests.factories import PartnerOrgFactory, PartnershipFactory, ProgramFactory

pytestmark = pytest.mark.django_db

Status = Partnership.Status


def publish_profile(
    world_vendor: Any, partner: Any, *, locator: bool = True, ecosystem: bool = False, **values: Any
) -> None:
    ws = workspace_for(partner.admin, world_vendor.vendor, "partner")
    services.directory_profile_update(
        workspace=ws,
        listed_in_ecosystem=ecosystem,
        locator_partnership_ids=[partner.partnership.pk] if locator else [],
        **values,
    )


# --- The partner's directory page ---------------------------------------------------------


def test_partner_admin_opts_in_and_out(world: World, client: Client) -> None:
    partner = world.a.partners[0]
    client.force_login(partner.admin)
    assert client.get("/p/acme/directory/").status_code == 200
    response = client.post(
        "/p/acme/directory/",
        {
            f"locator_{partner.partnership.pk}": "on",
            "listed_in_ecosystem": "on",
            "description": "Cloud accounting for Patras",
            "city": "Patras",
            "regions": "gr-g, GR-J",
            "specializations": ["cloud", "erp"],
            "industries": ["accounting"],
        },
    )
    assert response.status_code == 302
    profile = DirectoryProfile.objects.get(organization=partner.org)
    assert profile.regions == ["GR-G", "GR-J"] and profile.specializations == ["cloud", "erp"]
    assert profile.listed_in_ecosystem and profile.city == "Patras"
    listing = LocatorListing.objects.for_vendor(world.a.vendor).get(partnership=partner.partnership)
    assert listing.listed_in_locator
    assert AuditLog.objects.filter(vendor=world.a.vendor, action="locator_listing.update").count() == 1

    response = client.post("/p/acme/directory/", {"description": "Cloud accounting for Patras", "city": "Patras"})
    assert response.status_code == 302
    listing.refresh_from_db()
    profile.refresh_from_db()
    assert not listing.listed_in_locator and not profile.listed_in_ecosystem


def test_directory_page_errors_beside_the_field(world: World, client: Client) -> None:
    partner = world.a.partners[0]
    client.force_login(partner.admin)
    response = client.post("/p/acme/directory/", {"regions": "GR-I, XX-99", "specializations": ["astrology"]})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="regions-errors"' in page and "XX-99" in page and 'id="specializations-errors"' in page
    assert not DirectoryProfile.objects.filter(organization=partner.org).exists()


def test_only_partner_admins_edit_the_listing(world: World, client: Client) -> None:
    client.force_login(world.a.partners[0].sales)
    assert client.get("/p/acme/directory/").status_code == 403
    client.force_login(world.a.owner)
    assert client.get("/p/acme/directory/").status_code == 404


def test_a_partner_cannot_list_another_partnership(world: World) -> None:
    ws = workspace_for(world.a.partners[0].admin, world.a.vendor, "partner")
    with pytest.raises(Exception) as exc:
        services.directory_profile_update(
            workspace=ws, listed_in_ecosystem=False, locator_partnership_ids=[world.a.partners[1].partnership.pk]
        )
    assert exc.typename == "Http404"
    assert not LocatorListing.objects.for_vendor(world.a.vendor).exists()


def test_portal_home_invites_admins_to_get_listed(world: World, client: Client) -> None:
    partner = world.a.partners[0]
    client.force_login(partner.admin)
    assert "Get listed" in client.get("/p/acme/").content.decode()
    publish_profile(world.a, partner)
    assert "Edit your listing" in client.get("/p/acme/").content.decode()
    sales_panels = widgets_for(workspace_for(partner.sales, world.a.vendor, "partner"))
    assert all("directory" not in w.template for w in sales_panels)


# --- The public locator ---------------------------------------------------------------------------


def test_locator_lists_only_opted_in_active_partners(world: World, client: Client) -> None:
    a = world.a
    program = published_program(a)
    listed, unlisted = a.partners
    listed.org.vat_number = "EL801412307"
    listed.org.save()
    publish_profile(a, listed, description="We publish this", city="Volos", specializations=["security"])
    publish_profile(a, unlisted, locator=False, description="We keep this private")
    # Opted in but no longer active: hidden.
    suspended_org = PartnerOrgFactory(name="Suspended Partner", vat_number="EL094014201")
    suspended = PartnershipFactory(program=program, partner=suspended_org, status=Status.SUSPENDED)
    LocatorListing.objects.create(vendor=a.vendor, partnership=suspended, listed_in_locator=True)
    # Another program of the same vendor: its listing does not leak into this locator.
    other = ProgramFactory(vendor=a.vendor, slug="referral")
    other_partnership = PartnershipFactory(program=other, partner=PartnerOrgFactory(name="Other Program Partner"))
    LocatorListing.objects.create(vendor=a.vendor, partnership=other_partnership, listed_in_locator=True)
    # Another vendor's listed partner.
    b_partner = world.b.partners[0]
    LocatorListing.objects.create(vendor=world.b.vendor, partnership=b_partner.partnership, listed_in_locator=True)

    services.note_create(
        workspace=workspace_for(a.owner, a.vendor), partnership=listed.partnership, text="Private note"
    )
    response = client.get(f"/programs/acme/{program.slug}/partners/")
    assert response.status_code == 200
    page = response.content.decode()
    assert [p.partner.name for p in response.context["page"]] == [listed.org.name]
    assert "We publish this" in page and "Volos" in page and "Cybersecurity" in page
    for hidden in ("We keep this private", "Suspended Partner", "Other Program Partner", b_partner.org.name):
        assert hidden not in page
    # Nothing the partner did not choose to publish: no people, no notes, no VAT number, no status.
    assert listed.admin.email not in page and "Private note" not in page
    assert ">Active<" not in page and listed.org.vat_number not in page


def test_locator_of_an_unpublished_program_does_not_exist(world: World, client: Client) -> None:
    publish_profile(world.a, world.a.partners[0])
    # The factory's program is marked published but has no published design version.
    assert client.get("/programs/acme/partners/partners/").status_code == 404
    assert client.get("/programs/acme/nope/partners/").status_code == 404
    assert client.get("/programs/nobody/partners/partners/").status_code == 404


def test_locator_filters(world: World, client: Client) -> None:
    a = world.a
    program = published_program(a)
    first, second = a.partners
    publish_profile(a, first, regions=["GR-I"], specializations=["cloud"])
    publish_profile(a, second, regions=["GR-B"], specializations=["security"])
    Partnership.objects.for_vendor(a.vendor).filter(pk=second.partnership.pk).update(partner_type="msp", tier="gold")
    first.org.country = "CY"
    first.org.save()
    url = f"/programs/acme/{program.slug}/partners/"

    def names(query: str) -> list[str]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        return [p.partner.name for p in response.context["page"]]

    assert names("") == [first.org.name, second.org.name]
    assert names("country=CY") == [first.org.name]
    assert names("region=GR-B") == [second.org.name]
    assert names("specialization=cloud") == [first.org.name]
    assert names("partner_type=var") == [first.org.name]
    # The program has no tiers designed (no-tiers framework), so the tier filter is not offered.
    assert "tier" not in client.get(url).context["form"].fields
    assert names("region=XX-1") == [first.org.name, second.org.name]


def test_locator_does_not_query_per_row(world: World, client: Client) -> None:
    a = world.a
    program = published_program(a)
    url = f"/programs/acme/{program.slug}/partners/"
    publish_profile(a, a.partners[0], specializations=["cloud"])
    small = queries_for(lambda: client.get(url))
    for _ in range(10):
        p = PartnershipFactory(program=program)
        DirectoryProfile.objects.create(organization=p.partner, specializations=["erp"], regions=["GR-I"])
        LocatorListing.objects.create(vendor=a.vendor, partnership=p, listed_in_locator=True)
    assert queries_for(lambda: client.get(url)) == small


# --- The ecosystem directory ----------------------------------------------------------------------


def test_ecosystem_lists_only_opt_ins_across_the_installation(world: World, client: Client) -> None:
    a, b = world.a, world.b
    publish_profile(b, b.partners[0], locator=False, ecosystem=True, description="Globex partner, open to more")
    publish_profile(b, b.partners[1], locator=True, ecosystem=False, description="Locator only")
    publish_profile(a, a.partners[0], locator=False, ecosystem=True, description="Already with Acme")
    services.note_create(
        workspace=workspace_for(b.owner, b.vendor), partnership=b.partners[0].partnership, text="Globex private note"
    )
    client.force_login(a.channel_manager)
    response = client.get("/v/acme/ecosystem/")
    assert response.status_code == 200
    page = response.content.decode()
    assert [p.organization.name for p in response.context["page"]] == [a.partners[0].org.name, b.partners[0].org.name]
    assert "Globex partner, open to more" in page and "Locator only" not in page
    # Nothing of the partner's life with another vendor: not its notes, status, tier or people.
    assert "Globex private note" not in page and b.partners[0].admin.email not in page
    assert "Globex Partners" not in page
    assert [p.partners_here for p in response.context["page"]] == [True, False]
    assert "Your partner" in page


def test_ecosystem_filters_and_queries(world: World, client: Client) -> None:
    a, b = world.a, world.b
    publish_profile(b, b.partners[0], locator=False, ecosystem=True, regions=["DE-BE"], industries=["energy"])
    publish_profile(b, b.partners[1], locator=False, ecosystem=True, specializations=["security"], description="SOC")
    client.force_login(a.owner)

    def names(query: str) -> list[str]:
        return [p.organization.name for p in client.get(f"/v/acme/ecosystem/?{query}").context["page"]]

    assert names("region=DE-BE") == [b.partners[0].org.name]
    assert names("industry=energy") == [b.partners[0].org.name]
    assert names("specialization=security") == [b.partners[1].org.name]
    assert names("search=soc") == [b.partners[1].org.name]

    small = queries_for(lambda: client.get("/v/acme/ecosystem/"))
    for _ in range(8):
        DirectoryProfile.objects.create(organization=PartnerOrgFactory(), listed_in_ecosystem=True, regions=["GR-I"])
    assert queries_for(lambda: client.get("/v/acme/ecosystem/")) == small
