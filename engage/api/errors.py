"""One JSON error shape for the whole REST API: {"detail": ..., "errors": {field: [...]}}."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from engage.errors import DomainError

log = logging.getLogger(__name__)


def _first_message(errors: Any, path: str = "") -> str:
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = key if key != "non_field_errors" else ""
            return _first_message(value, f"{path}.{name}" if path and name else (name or path))
    if isinstance(errors, list) and errors:
        for index, item in enumerate(errors):
            if item:
                inner = _first_message(item, f"{path}[{index}]" if isinstance(item, dict | list) else path)
                return inner
    text = str(errors)
    return f"{path}: {text}" if path else text


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map DRF errors, Http404 and domain errors to JSON; anything else is logged and hidden."""
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["errors"] = {exc.field: [exc.message]}
        return Response(body, status=exc.status_code)
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            {"detail": _first_message(exc.detail), "code": "invalid", "errors": exc.detail},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        return Response({"detail": "Not found.", "code": "not_found"}, status=404)
    response = drf_exception_handler(exc, context)
    if response is not None:
        detail = response.data.get("detail", response.data) if isinstance(response.data, dict) else response.data
        code = getattr(exc, "default_code", "error")
        response.data = {"detail": str(detail), "code": getattr(detail, "code", code)}
        return response
    log.exception("unhandled API error", exc_info=exc)
    return Response({"detail": "Internal error; it has been logged.", "code": "server_error"}, status=500)
