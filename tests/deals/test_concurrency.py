"""Races proven on PostgreSQL with threads: one customer registered twice at once; one registration approved twice."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from kanali.deals import index, services_registrations
from kanali.deals.models import Deal, DealRegistration
from kanali.deals.services import DealStateError
from tests.conftest import World, workspace_for
from tests.deals.routes_api import reg_data

pytestmark = pytest.mark.postgres_only


def race(functions: list[Callable[[], str]]) -> list[str]:
    """Run the functions at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(functions))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(fn: Callable[[], str]) -> None:
        try:
            barrier.wait()
            result = fn()
        except Exception as exc:
            result = type(exc).__name__
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(fn,)) for fn in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("company", ["Alfa Pliroforiki SA", "ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ Α.Ε."])
def test_two_partners_registering_one_customer_at_once_cannot_miss_each_other(world: World, company: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races are proven on PostgreSQL (CI runs the suite there too)")
    index.invalidate()
    a = world.a
    # An earlier registration creates the vendor's lock row and its index: the race is on the row lock.
    warm_up = services_registrations.registration_submit(
        workspace=workspace_for(a.partners[0].admin, a.vendor, "partner"),
        partnership=a.partners[0].partnership,
        data=reg_data(company="Zeta Robotics GmbH", domain="zeta.example"),
    )

    def register(n: int) -> Callable[[], str]:
        def go() -> str:
            p = a.partners[n]
            ws = workspace_for(p.sales, a.vendor, "partner")
            name = company if n == 0 else "Alfa Pliroforiki S.A."
            reg = services_registrations.registration_submit(
                workspace=ws, partnership=p.partnership, data=reg_data(company=name, domain="")
            )
            return "conflict" if reg.in_conflict else "clean"

        return go

    assert race([register(0), register(1)]) == ["clean", "conflict"]
    regs = list(DealRegistration.objects.for_vendor(a.vendor).exclude(pk=warm_up.pk).order_by("created_at", "pk"))
    first, second = regs
    assert not first.in_conflict and second.in_conflict
    assert [(c["kind"], c["id"]) for c in second.conflicts] == [("registration", first.pk)]
    # The first is the protected one: approving the second is refused, the first goes through.
    staff = workspace_for(a.owner, a.vendor)
    with pytest.raises(DealStateError):
        services_registrations.registration_approve(workspace=staff, registration=second)
    services_registrations.registration_approve(workspace=staff, registration=first)
    index.invalidate()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_approvals_of_one_registration_have_one_winner(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races are proven on PostgreSQL (CI runs the suite there too)")
    index.invalidate()
    a = world.a
    reg = services_registrations.registration_submit(
        workspace=workspace_for(a.partners[0].sales, a.vendor, "partner"),
        partnership=a.partners[0].partnership,
        data=reg_data(),
    )

    def approve(user_attr: str) -> Callable[[], str]:
        def go() -> str:
            ws = workspace_for(getattr(a, user_attr), a.vendor)
            services_registrations.registration_approve(workspace=ws, registration=reg)
            return "approved"

        return go

    outcomes = race([approve("owner"), approve("channel_manager"), approve("owner")])
    assert outcomes == ["DealStateError", "DealStateError", "approved"]
    assert Deal.objects.for_vendor(a.vendor).filter(registration=reg).count() == 1
    index.invalidate()
