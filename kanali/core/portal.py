"""Portal home widgets: higher apps add panels to the partner portal's home page.

``core`` cannot import the apps above it, so they register a function that
returns the panel's template and context for a partner workspace (or ``None``
to show nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kanali.core.workspace import Workspace


@dataclass(frozen=True)
class Widget:
    template: str
    context: dict[str, Any]
    order: int = 100


WidgetFactory = Callable[[Workspace], Widget | None]
_WIDGETS: list[WidgetFactory] = []


def register_widget(factory: WidgetFactory) -> WidgetFactory:
    """Decorator: ``@register_widget`` on ``def my_panel(ws) -> Widget | None``."""
    if factory not in _WIDGETS:
        _WIDGETS.append(factory)
    return factory


def widgets_for(workspace: Workspace) -> list[Widget]:
    panels = [w for factory in _WIDGETS if (w := factory(workspace)) is not None]
    return sorted(panels, key=lambda w: w.order)
