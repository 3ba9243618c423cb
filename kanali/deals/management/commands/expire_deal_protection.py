"""``manage.py expire_deal_protection``: send due protection reminders and expire lapsed protection now.

With ``--schedule`` it also queues the daily sweep (idempotent: nothing is
queued when one is already waiting), which queues itself every day after.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kanali.deals.tasks import schedule_next, sweep


class Command(BaseCommand):
    help = "Send deal-protection reminders and expire lapsed protection; --schedule queues the daily sweep."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedule", action="store_true", help="Also queue the daily sweep.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        result = sweep(now=now)
        self.stdout.write(
            self.style.SUCCESS(f"Reminded {result['reminded']} registration(s); expired {result['expired']}.")
        )
        if options["schedule"]:
            queued = schedule_next(now)
            self.stdout.write("Queued the daily sweep." if queued else "The daily sweep is already queued.")
