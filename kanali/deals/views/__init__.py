"""Deals pages: ``console`` (vendor staff) and ``portal`` (partners); ``common`` holds what both share."""
