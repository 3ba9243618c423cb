"""Isolation-matrix entries for the designer's step pages."""

from tests.isolation import Route

PAGE_ROUTES = {
    "designer:overview": Route("vendor", lambda a: {"program_id": a.program.pk}),
    "designer:step": Route("vendor", lambda a: {"program_id": a.program.pk, "step": "sales_process"}),
}
