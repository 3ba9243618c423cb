"""Errors of the leads app that callers turn into a message: the API answers 409, pages show the reason."""

from __future__ import annotations


class LeadStateError(Exception):
    """The action is no longer possible: the offer expired, was answered or withdrawn, or the lead moved on.

    ``reason`` is a translated sentence for the person who tried.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = str(reason)

    def __str__(self) -> str:
        return self.reason
