"""Handbook (PDF, Markdown) and brochure: read back what was rendered, in the language asked for."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from kanali.core.workspace import Workspace
from kanali.designer import outputs
from kanali.designer.publishing import publish
from kanali.designer.services import design_update
from kanali.designer.snapshot import build_snapshot
from tests.conftest import World, workspace_for
from tests.designer.routes_publishing import complete_design, replace

GREEK_STAGES = ("Ανακάλυψη αναγκών", "Πρόταση", "Υπογραφή σύμβασης")


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def rich_design(ws: Workspace, world: World, *, stages: tuple[str, ...] = GREEK_STAGES) -> None:
    """A design with something in every step, as a real vendor would fill it."""
    program = world.a.program
    complete_design(ws, program, stages=stages)
    design_update(
        workspace=ws,
        program=program,
        values={
            "framework": "tiers",
            "training_enabled": True,
            "support_enabled": True,
            "partner_expectations": "Leads within 24 hours",
            "vendor_expectations": "Two certified people",
            "target_audience": "IT resellers in Greece",
            "sostac_situation": "Few partners",
            "sostac_objectives": "20 partners",
            "sostac_strategy": "Accountants first",
            "target_regions": ["GR", "CY"],
        },
    )
    replace(
        ws,
        program,
        "competitors",
        [
            {"name": "Rival Books", "audience": "Large firms", "structure": "Three tiers"},
            {"name": "Ledgerly", "audience": "Freelancers", "performance": "Weak | patchy"},
        ],
    )
    replace(
        ws, program, "tiers", [{"rank": 1, "name": "Silver", "commission_bonus_pct": "5"}, {"rank": 2, "name": "Gold"}]
    )
    replace(
        ws,
        program,
        "tier_requirements",
        [
            {"tier": "Silver", "metric": "deals_won_12m", "threshold": "3"},
            {"tier": "Gold", "metric": "revenue_won_12m", "threshold": "50000"},
        ],
    )
    replace(ws, program, "success_factors", [{"name": "Good support", "rank": 1, "plan": "A named engineer"}])
    replace(
        ws,
        program,
        "kpis",
        [{"key": "win_rate", "success_factor": "Good support", "target": "35", "period": "quarter"}],
    )
    replace(ws, program, "channel_team", [{"role": "channel_chief", "member": world.a.owner.email}])
    replace(
        ws,
        program,
        "capabilities",
        [
            {
                "title": "Legal partner agreement",
                "owner": world.a.channel_manager.email,
                "due_date": timezone.localdate() + timedelta(days=30),
            },
        ],
    )


@pytest.fixture
def ws(world: World) -> Workspace:
    return workspace_for(world.a.owner, world.a.vendor)


@pytest.mark.django_db
def test_handbook_in_greek_has_greek_titles_and_the_vendors_stages(world: World, ws: Workspace) -> None:
    rich_design(ws, world)
    pages, text = pdf_text(outputs.handbook_pdf(build_snapshot(world.a.program), lang="el"))
    assert pages >= 3
    for stage in GREEK_STAGES:
        assert stage in text.replace("\n", " ")
    assert "Acme Partners" in text
    with translation.override("el"):
        title = gettext("Value proposition")
    if title == "Value proposition":
        pytest.skip("The Greek catalogue has no translation of the step titles yet (run make messages).")
    assert title in text


@pytest.mark.django_db
def test_handbook_in_english_has_every_step_title_and_the_content(world: World, ws: Workspace) -> None:
    rich_design(ws, world, stages=("Discovery", "Proposal", "Signature"))
    _pages, text = pdf_text(outputs.handbook_pdf(build_snapshot(world.a.program), lang="en"))
    flat = " ".join(text.split())
    for title in (
        "Value proposition",
        "Customer-centric sales process",
        "Competitor benchmark",
        "Responsibilities",
        "Framework",
        "KPIs",
        "Marketing strategy",
        "Partner selection",
        "Partner organization",
    ):
        assert title in flat
    for content in (
        "Discovery",
        "Signature",
        "Rival Books",
        "Ledgerly",
        "Gold",
        "Deals won in the last 12 months",
        "Manual data entry",
        "Bank feeds",
        "Win rate",
        "Few partners",
    ):
        assert content in flat, content
    assert "Ανακάλυψη" not in flat


@pytest.mark.django_db
def test_markdown_has_the_competitor_grid(world: World, ws: Workspace) -> None:
    rich_design(ws, world)
    md = outputs.handbook_markdown(build_snapshot(world.a.program), lang="en")
    assert "| Dimension | Ledgerly | Rival Books |" in md
    assert "| Audience | Freelancers | Large firms |" in md
    assert "Weak \\| patchy" in md  # a pipe inside a cell does not break the table
    assert "## 3. Competitor benchmark" in md
    assert "| Pain: Manual data entry | Bank feeds |" in md  # the fit view
    assert "| Gain: Happy clients | Not addressed yet |" in md
    assert "| Silver | Deals won in the last 12 months ≥ 3 | Commission bonus: 5 % |" in md


@pytest.mark.django_db
def test_markdown_in_greek_formats_numbers_the_greek_way(world: World, ws: Workspace) -> None:
    rich_design(ws, world)
    md = outputs.handbook_markdown(build_snapshot(world.a.program), lang="el")
    assert "50.000 EUR" in md
    assert "Ανακάλυψη αναγκών" in md


@pytest.mark.django_db
def test_brochure_fits_two_pages_and_names_the_program(world: World, ws: Workspace) -> None:
    rich_design(ws, world)
    url = "https://kanali.example.com/programs/acme/partners/"
    pages, text = pdf_text(outputs.brochure_pdf(build_snapshot(world.a.program), lang="en", public_url=url))
    assert pages <= 2
    assert "Acme Partners" in text
    assert url in text.replace("\n", "")


@pytest.mark.django_db
def test_brochure_stays_within_two_pages_with_long_lists(world: World, ws: Workspace) -> None:
    rich_design(ws, world)
    program = world.a.program
    long = "A long explanation of why this kind of partner reaches our customers better than anyone else. " * 3
    replace(ws, program, "partner_types", [{"key": f"t{n}", "name": f"Type {n}", "reason": long} for n in range(25)])
    replace(
        ws,
        program,
        "responsibilities",
        [
            {"position": n, "activity": f"Activity number {n} with a longer name", "assignee": "both", "lead": "vendor"}
            for n in range(40)
        ],
    )
    pdf = outputs.brochure_pdf(build_snapshot(program), lang="el", public_url="https://x.example.com/p/")
    pages, text = pdf_text(pdf)
    assert pages <= 2
    assert "Acme Partners" in text


@pytest.mark.django_db
def test_canvas_svg_escapes_what_the_vendor_typed(world: World, ws: Workspace) -> None:
    svg = outputs.canvas_svg(
        outputs.present({"collections": {"canvas_pain": [{"text": "<script>x</script>"}]}})["value"]
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_pdf_rendering_never_fetches_urls() -> None:
    with pytest.raises(ValueError, match="does not fetch"):
        outputs._url_fetcher("https://example.com/font.woff")
    with pytest.raises(ValueError, match="does not fetch"):
        outputs._url_fetcher("file:///etc/passwd")


@pytest.mark.django_db
def test_download_views_serve_the_draft_or_a_published_version(world: World, ws: Workspace, client: Client) -> None:
    program = world.a.program
    client.force_login(world.a.finance)  # any console role may download
    args = [world.a.vendor.slug, program.pk]
    response = client.get(reverse("designer:handbook_pdf", args=args), {"lang": "el"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "partners-handbook-draft-el.pdf" in response["Content-Disposition"]
    assert client.get(reverse("designer:handbook_pdf", args=args), {"version": "published"}).status_code == 404
    assert client.get(reverse("designer:handbook_md", args=args), {"version": "nonsense"}).status_code == 404

    complete_design(ws, program)
    publish(workspace=ws, program=program, change_note="v1")
    replace(ws, program, "competitors", [{"name": "Added after publishing"}])
    published = client.get(reverse("designer:handbook_md", args=args), {"version": "published"}).content.decode()
    draft = client.get(reverse("designer:handbook_md", args=args), {"version": "draft"}).content.decode()
    assert "Added after publishing" in draft and "Added after publishing" not in published
    assert "Version 1" in published
    brochure = client.get(reverse("designer:brochure_pdf", args=args), {"version": "1", "lang": "en"})
    _pages, text = pdf_text(brochure.content)
    assert "http://testserver/programs/acme/partners/" in text.replace("\n", "")
