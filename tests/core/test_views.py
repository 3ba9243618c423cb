"""Console and portal pages: who sees what, forms that refuse bad input, query counts."""

from __future__ import annotations

import pytest
from django.test import Client

from kanali.core.models import AuditLog, Organization, Partnership, Program
from tests.conftest import World, queries_for
from tests.factories import MembershipFactory, PartnershipFactory

VENDOR_PAGES = ["/v/acme/", "/v/acme/partners/", "/v/acme/team/", "/v/acme/tokens/", "/v/acme/partners/invite/"]
OWNER_PAGES = ["/v/acme/settings/", "/v/acme/audit/"]
PORTAL_PAGES = ["/p/acme/", "/p/acme/team/", "/p/acme/tokens/", "/p/acme/profile/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", VENDOR_PAGES + OWNER_PAGES)
def test_owner_opens_every_console_page(world: World, client: Client, url: str) -> None:
    client.force_login(world.a.owner)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", PORTAL_PAGES)
def test_partner_admin_opens_every_portal_page(world: World, client: Client, url: str) -> None:
    client.force_login(world.a.partners[0].admin)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/v/acme/settings/", "/v/acme/partners/invite/"])
def test_finance_is_refused_what_its_role_does_not_allow(world: World, client: Client, url: str) -> None:
    client.force_login(world.a.finance)
    response = client.get(url)
    assert response.status_code == 403
    assert b"You cannot do this" in response.content


@pytest.mark.django_db
def test_sales_rep_cannot_edit_the_company_profile(world: World, client: Client) -> None:
    client.force_login(world.a.partners[0].sales)
    assert client.get("/p/acme/profile/").status_code == 403


@pytest.mark.django_db
def test_vendor_console_is_404_for_non_members(world: World, client: Client) -> None:
    client.force_login(world.b.owner)
    assert client.get("/v/acme/").status_code == 404
    assert client.get("/v/no-such-vendor/").status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get("/v/acme/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_invalid_vat_shows_error_beside_field_and_writes_nothing(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    response = client.post(
        "/v/acme/settings/", {"name": "Renamed", "country": "GR", "vat_number": "EL123456789", "website": ""}
    )
    assert response.status_code == 200
    assert b"not a valid EU VAT number" in response.content
    assert b'aria-invalid="true"' in response.content
    assert Organization.objects.get(pk=world.a.vendor.pk).name == "Acme"
    assert not AuditLog.objects.filter(action="organization.update").exists()


@pytest.mark.django_db
def test_valid_settings_are_saved_normalised_and_audited(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    response = client.post(
        "/v/acme/settings/",
        {"name": "Acme Hellas", "country": "GR", "vat_number": "094014201", "website": "acme.gr"},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    org = Organization.objects.get(pk=world.a.vendor.pk)
    assert (org.name, org.vat_number, org.website) == ("Acme Hellas", "EL094014201", "https://acme.gr")
    entry = AuditLog.objects.get(action="organization.update")
    assert entry.actor == world.a.owner and entry.vendor == world.a.vendor
    assert entry.changes["name"] == ["Acme", "Acme Hellas"]
    assert entry.ip_address == "203.0.113.7"


@pytest.mark.django_db
def test_signed_in_user_starts_a_vendor(world: World, client: Client) -> None:
    user = world.a.partners[0].sales
    client.force_login(user)
    response = client.post(
        "/organizations/new/", {"name": "Ψηφιακή Αγορά", "country": "GR", "vat_number": "", "website": ""}
    )
    org = Organization.objects.get(name="Ψηφιακή Αγορά")
    assert response["Location"] == f"/v/{org.slug}/"
    assert org.slug == "psifiaki-agora"
    assert Program.objects.for_vendor(org).count() == 1
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_vendor_create_with_bad_vat_creates_nothing(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    before = Organization.objects.count()
    response = client.post("/organizations/new/", {"name": "X", "country": "GR", "vat_number": "EL1", "website": ""})
    assert response.status_code == 200
    assert Organization.objects.count() == before


@pytest.mark.django_db
def test_partner_list_filters(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    Partnership.objects.for_vendor(world.a.vendor).filter(pk=world.a.partners[1].partnership.pk).update(
        status="suspended"
    )
    body = client.get("/v/acme/partners/?status=suspended").content.decode()
    assert "Acme Partner 2" in body and "Acme Partner 1" not in body
    body = client.get("/v/acme/partners/?search=partner 1").content.decode()
    assert "Acme Partner 1" in body and "Acme Partner 2" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/v/acme/partners/", "/v/acme/team/", "/v/acme/audit/", "/v/acme/"])
def test_console_list_pages_do_not_query_per_row(world: World, client: Client, url: str) -> None:
    client.force_login(world.a.owner)
    client.post("/v/acme/settings/", {"name": "Acme 1", "country": "GR", "vat_number": "", "website": ""})
    small = queries_for(lambda: client.get(url))
    for _ in range(12):
        PartnershipFactory(program=world.a.program)
    for n in range(2, 6):
        client.post("/v/acme/settings/", {"name": f"Acme {n}", "country": "GR", "vat_number": "", "website": ""})
    large = queries_for(lambda: client.get(url))
    assert large == small, f"{url}: {small} queries with few rows, {large} with more"


@pytest.mark.django_db
def test_portal_home_does_not_query_per_row(world: World, client: Client) -> None:
    partner = world.a.partners[0]
    client.force_login(partner.admin)
    small = queries_for(lambda: client.get("/p/acme/"))
    for _ in range(5):
        MembershipFactory(organization=partner.org, role="partner_sales")
    assert queries_for(lambda: client.get("/p/acme/")) == small


@pytest.mark.django_db
def test_server_error_pages_are_friendly_and_json_under_api(rf) -> None:  # type: ignore[no-untyped-def]
    from kanali.core.views import error_500

    page = error_500(rf.get("/v/acme/"))
    assert page.status_code == 500 and b"Something went wrong on our side" in page.content
    api = error_500(rf.get("/api/v1/partnerships"))
    assert api.status_code == 500 and api["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_not_found_page_is_friendly(client: Client) -> None:
    response = client.get("/definitely/not/here/")
    assert response.status_code == 404


def _image(size: tuple[int, int], fmt: str = "PNG") -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.django_db
def test_logo_is_checked_by_content_resized_and_stored_as_png(world: World, client: Client, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.a.partners[0].admin)
    form = {"name": "Acme Partner 1", "country": "GR", "vat_number": "", "website": ""}
    upload = SimpleUploadedFile("logo.jpg", _image((2000, 1000), "JPEG"), content_type="image/jpeg")
    assert client.post("/p/acme/profile/", {**form, "logo": upload}).status_code == 302
    org = Organization.objects.get(pk=world.a.partners[0].org.pk)
    with Image.open(org.logo.path) as stored:
        assert (stored.format, stored.size) == ("PNG", (512, 256))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"<svg onload=alert(1)>", b"not an image Kanali can read"),
        (b"%PDF-1.7 not a picture", b"not an image Kanali can read"),
        (b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 1), b"larger than 2 MB"),
    ],
)
def test_logo_that_is_not_an_image_is_refused(
    world: World, client: Client, settings, tmp_path, payload, message
) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.a.partners[0].admin)
    upload = SimpleUploadedFile("logo.png", payload, content_type="image/png")
    form = {"name": "Acme Partner 1", "country": "GR", "vat_number": "", "website": "", "logo": upload}
    response = client.post("/p/acme/profile/", form)
    assert response.status_code == 200 and message in response.content
    assert not Organization.objects.get(pk=world.a.partners[0].org.pk).logo
