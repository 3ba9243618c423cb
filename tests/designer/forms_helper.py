"""Read a rendered form the way a browser would submit it."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _FormParser(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, Any] = {}
        self._select: str | None = None
        self._select_multiple = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data[name] = a.get("value") or "on"
            elif kind not in {"submit", "button"}:
                self.data[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select, self._select_multiple = name, "multiple" in a
            self.data[name] = [] if self._select_multiple else ""
        elif tag == "option" and self._select and "selected" in a:
            value = a.get("value") or ""
            if self._select_multiple:
                self.data[self._select].append(value)
            else:
                self.data[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data.lstrip("\n") if not self.data[self._textarea] else data


def form_data(html: str, form_id: str = "step-form") -> dict[str, Any]:
    parser = _FormParser(form_id)
    parser.feed(html)
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data
