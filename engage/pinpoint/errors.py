"""Pinpoint's error responses: status, `x-amzn-ErrorType`, and a `{"Message", "RequestID"}` body.

botocore reads the code from the header and raises `client.exceptions.<Code>` (e.g. NotFoundException).
Deterministic failures are always 4xx: botocore retries 5xx and 429.
"""

from __future__ import annotations

import json

from django.http import HttpResponse

from engage.errors import Conflict, DomainError, Invalid, NotFound, NotPermitted
from templates.content import TemplateInvalid


class PinpointError(Exception):
    status = 400
    code = "BadRequestException"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(PinpointError):
    pass


class Forbidden(PinpointError):
    status = 403
    code = "ForbiddenException"


class NotFoundError(PinpointError):
    status = 404
    code = "NotFoundException"


class MethodNotAllowed(PinpointError):
    status = 405
    code = "MethodNotAllowedException"


class ConflictError(PinpointError):
    status = 409
    code = "ConflictException"


class PayloadTooLarge(PinpointError):
    status = 413
    code = "PayloadTooLargeException"


class InternalError(PinpointError):
    status = 500
    code = "InternalServerErrorException"


def _invalid_message(exc: Invalid) -> str:
    if isinstance(exc, TemplateInvalid):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.errors.items())
    if exc.field and exc.field not in exc.message:
        return f"{exc.field}: {exc.message}"
    return exc.message


def from_domain(exc: DomainError) -> PinpointError:
    """The Pinpoint error for a service's refusal, its message naming the field when the service named one."""
    if isinstance(exc, NotFound):
        return NotFoundError(exc.message)
    if isinstance(exc, Conflict):
        return ConflictError(exc.message)
    if isinstance(exc, NotPermitted):
        return Forbidden(exc.message)
    if isinstance(exc, Invalid):
        return BadRequest(_invalid_message(exc))
    return BadRequest(exc.message)


def json_response(body: object, *, status: int, request_id: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json",
    )
    response["x-amzn-RequestId"] = request_id
    return response


def error_response(error: PinpointError, *, request_id: str) -> HttpResponse:
    response = json_response(
        {"Message": error.message, "RequestID": request_id}, status=error.status, request_id=request_id
    )
    response["x-amzn-ErrorType"] = error.code
    return response
