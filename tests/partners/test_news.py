"""Program news on the portal home comes from what the vendor published."""

from __future__ import annotations

import pytest
from django.test import Client

from kanali.designer.publishing import publish
from kanali.partners.news import program_news
from tests.conftest import World, queries_for, workspace_for
from tests.designer.routes_publishing import complete_design


@pytest.mark.django_db
def test_published_version_appears_as_news_for_the_programs_partners_only(world: World, client: Client) -> None:
    ws = workspace_for(world.a.owner, world.a.vendor)
    complete_design(ws, world.a.program)
    publish(workspace=ws, program=world.a.program, change_note="New Gold benefits from March")
    partner = workspace_for(world.a.partners[0].admin, world.a.vendor, "partner")
    news = program_news(partner)
    assert [(n.title, n.text) for n in news] == [("Program version 1 published", "New Gold benefits from March")]
    client.force_login(world.a.partners[0].admin)
    assert "New Gold benefits from March" in client.get("/p/acme/").content.decode()
    # Another vendor's partner sees none of it.
    other = workspace_for(world.b.partners[0].admin, world.b.vendor, "partner")
    assert program_news(other) == []


@pytest.mark.django_db
def test_news_reads_a_fixed_number_of_queries(world: World) -> None:
    ws = workspace_for(world.a.owner, world.a.vendor)
    complete_design(ws, world.a.program)
    partner = workspace_for(world.a.partners[0].admin, world.a.vendor, "partner")
    publish(workspace=ws, program=world.a.program, change_note="one")
    few = queries_for(lambda: program_news(partner))
    for n in range(3):
        publish(workspace=ws, program=world.a.program, change_note=f"more {n}", confirm_frequent=True)
    assert queries_for(lambda: program_news(partner)) == few
