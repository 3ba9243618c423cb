"""Keep every response under ``/api/`` JSON, even Django's own error pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

DETAILS = {
    400: "Bad request.",
    401: "Authentication required.",
    403: "You do not have permission to do this.",
    404: "Not found",
    405: "Method not allowed.",
    413: "Request too large.",
    429: "Too many requests; try again later.",
}


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            detail = DETAILS.get(
                response.status_code, "Internal server error." if response.status_code >= 500 else "Error."
            )
            return JsonResponse({"detail": detail}, status=response.status_code)
        return response
