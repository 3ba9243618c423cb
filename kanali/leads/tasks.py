"""Deadline work of the leads app: half-time reminders and expiries, queued for when they are due.

Tasks receive offer ids, never a workspace: they act as the system, and the
services they call re-read the offer under the lead's row lock, so a task
that runs late, twice, or after the partner answered changes nothing.
"""

from __future__ import annotations

from django_tasks import task

from kanali.leads import services


@task()
def expire_offer_task(offer_id: int) -> bool:
    return services.offer_expire(offer_id=offer_id)


@task()
def remind_offer_task(offer_id: int) -> bool:
    return services.offer_remind(offer_id=offer_id)


@task()
def expire_offers_task(offer_ids: list[int]) -> int:
    """The expiry of a batch of offers made together (an import): one queued task instead of thousands."""
    return sum(1 for offer_id in offer_ids if services.offer_expire(offer_id=offer_id))


@task()
def remind_offers_task(offer_ids: list[int]) -> int:
    return sum(1 for offer_id in offer_ids if services.offer_remind(offer_id=offer_id))


@task()
def sweep_offers_task() -> dict[str, int]:
    """Reminders and expiries that are due, whatever was queued (the safety net, also as a task)."""
    return {"reminded": services.remind_due_offers(), "expired": services.expire_overdue_offers()}
