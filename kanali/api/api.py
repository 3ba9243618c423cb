"""Assembles each app's router into ``/api/v1``; every error is JSON ``{"detail": …}``."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django_ratelimit.exceptions import Ratelimited
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from kanali.accounts.api import router as accounts_router
from kanali.api.auth import TokenAuth
from kanali.core.api import router as core_router
from kanali.deals.api import router as deals_router
from kanali.designer.api import router as designer_router
from kanali.incentives.api import router as incentives_router
from kanali.leads.api import router as leads_router
from kanali.partners.api import router as partners_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Kanali API",
    version="1",
    description="Partner relationship management. Authenticate with `Authorization: Bearer <token>`.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

api.add_router("/", accounts_router)
api.add_router("/", core_router)
api.add_router("/", designer_router)
api.add_router("/", partners_router)
api.add_router("/", leads_router)
api.add_router("/", deals_router)
api.add_router("/", incentives_router)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(Ratelimited)
def rate_limited(request: HttpRequest, exc: Ratelimited) -> HttpResponse:
    return api.create_response(request, {"detail": "Too many requests; try again later."}, status=429)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "You do not have permission to do this."}, status=403)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Authentication required: send a valid bearer token."}, status=401)


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(DjangoValidationError)
def invalid_model(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled API error on %s", request.path)
    return api.create_response(request, {"detail": "Internal server error."}, status=500)
