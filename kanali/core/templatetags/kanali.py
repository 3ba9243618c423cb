"""Small template helpers shared by every app."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ statuses|get_item:step.key }}``: dictionary lookup with a variable key."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
