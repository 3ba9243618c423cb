"""``manage.py expire_lead_offers``: send due reminders and expire overdue offers (safety net for the worker)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kanali.leads.services import expire_overdue_offers, remind_due_offers


class Command(BaseCommand):
    help = "Send due half-time reminders and expire lead offers past their deadline, routing those leads onwards."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0: run once and exit).")

    def handle(self, *args: Any, **options: Any) -> None:
        every = max(0, int(options["every"]))
        while True:
            reminded = remind_due_offers()
            expired = expire_overdue_offers()
            self.stdout.write(f"reminded {reminded}, expired {expired}")
            if not every:
                return
            time.sleep(every)
