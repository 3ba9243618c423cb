"""``manage.py schedule_tier_runs``: queue the daily tier evaluation; each run queues the next one.

Safe to call on every start (``make run``): nothing is queued when a daily
run is already waiting, and a day already evaluated is not evaluated again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kanali.partners.tasks import daily_tier_run, pending_daily_runs


class Command(BaseCommand):
    help = "Queue the daily tier evaluation now (idempotent); each run queues the next for tomorrow."

    def handle(self, *args: Any, **options: Any) -> None:
        if pending_daily_runs():
            self.stdout.write("The daily tier run is already queued.")
            return
        daily_tier_run.enqueue()
        self.stdout.write(self.style.SUCCESS("Queued the daily tier run; it queues the next one for tomorrow."))
