"""The notifications page and the bell: only your own notices, newest first, read on open, one COUNT query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kanali.core.models import Notification
from kanali.core.notifications import notify, unread_count
from tests.conftest import World, queries_for

LIST = reverse("core:notifications")
READ = reverse("core:notification_read")


def _notice(world: World, user, title: str, url: str = "/p/acme/") -> Notification:  # type: ignore[no-untyped-def]
    return notify(recipients=[user], vendor=world.a.vendor, kind="test", title=title, url=url, email=False)[0]


@pytest.mark.django_db
def test_list_shows_only_own_notices_newest_first(world: World, client: Client) -> None:
    me, other = world.a.owner, world.b.owner
    _notice(world, me, "First notice")
    _notice(world, me, "Second notice")
    _notice(world, other, "Not for you")
    client.force_login(me)
    body = client.get(LIST).content.decode()
    assert body.index("Second notice") < body.index("First notice")
    assert "Not for you" not in body
    assert 'id="notifications-unread"' in body and ">2<" in body


@pytest.mark.django_db
def test_open_marks_read_and_follows_the_link(world: World, client: Client) -> None:
    me = world.a.owner
    notice = _notice(world, me, "Lead offered", url="/v/acme/")
    client.force_login(me)
    response = client.post(READ, {"id": notice.pk})
    assert response.status_code == 302 and response["Location"] == "/v/acme/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert unread_count(me) == 0


@pytest.mark.django_db
def test_open_refuses_someone_elses_notice_and_foreign_links(world: World, client: Client) -> None:
    theirs = _notice(world, world.b.owner, "Theirs")
    mine = _notice(world, world.a.owner, "Phish", url="https://evil.example.com/")
    client.force_login(world.a.owner)
    assert client.post(READ, {"id": theirs.pk}).status_code == 404
    assert client.post(READ, {"id": "nope"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    response = client.post(READ, {"id": mine.pk})
    assert response["Location"] == LIST


@pytest.mark.django_db
def test_mark_all_read_touches_only_own(world: World, client: Client) -> None:
    for i in range(3):
        _notice(world, world.a.owner, f"n{i}")
    theirs = _notice(world, world.b.owner, "Theirs")
    client.force_login(world.a.owner)
    assert client.post(READ).status_code == 302
    assert unread_count(world.a.owner) == 0
    assert unread_count(world.b.owner) == 1
    assert client.get(READ).status_code == 405
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    assert client.get(LIST).status_code == 302
    assert client.post(READ).status_code == 302


@pytest.mark.django_db
def test_list_query_count_is_constant_and_paginated(world: World, client: Client) -> None:
    me = world.a.owner
    client.force_login(me)
    _notice(world, me, "one")
    few = queries_for(lambda: client.get(LIST))
    for i in range(40):
        _notice(world, me, f"many {i}")
    many = queries_for(lambda: client.get(LIST))
    assert few == many
    page2 = client.get(LIST + "?page=2").content.decode()
    assert "Page 2 of 2" in page2


@pytest.mark.django_db
def test_bell_counts_once_and_only_when_rendered(world: World, client: Client) -> None:
    me = world.a.owner
    _notice(world, me, "hello")
    client.force_login(me)

    def notification_queries(url: str) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return [q["sql"] for q in ctx.captured_queries if "core_notification" in q["sql"]]

    # The home page renders the bell (and no list of notices): exactly one COUNT.
    counted = notification_queries("/")
    assert len(counted) == 1 and "COUNT" in counted[0].upper()
    assert 'id="notifications-bell"' in client.get("/").content.decode()
    # A response that renders no page never counts.
    assert notification_queries("/healthz") == []
