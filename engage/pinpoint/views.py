"""The one view behind /pinpoint/: read the raw request, verify SigV4, route by method + path, check the key's
access, validate the body, call the operation and shape its answer. Every failure is a Pinpoint JSON error."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from engage import clock
from engage.errors import DomainError, Invalid, NotFound
from engage.pinpoint.errors import (
    BadRequest,
    Forbidden,
    InternalError,
    MethodNotAllowed,
    NotFoundError,
    PayloadTooLarge,
    PinpointError,
    error_response,
    from_domain,
    json_response,
)
from engage.pinpoint.model import Route, input_members, payload_shape, route_find
from engage.pinpoint.registry import Call, Operation, operation_get, unsupported_message
from engage.pinpoint.shapes import shape_input, shape_output
from engage.pinpoint.sigv4 import (
    SignatureRefused,
    credential_parse,
    request_time_check,
    signature_check,
)
from engage.tenancy.models import ApiKey
from engage.tenancy.netaddr import client_ip
from engage.tenancy.selectors import Access, KeyRefused, apikey_authenticate, tenant_access_for_key

log = logging.getLogger(__name__)
MAX_BODY = 7 * 1024 * 1024  # Pinpoint's API payload limit
PREFIX = "/pinpoint/"


@csrf_exempt
def pinpoint(request: HttpRequest, path: str = "") -> HttpResponse:
    """Answer one Pinpoint REST call; never a redirect and never an HTML page."""
    request_id = str(uuid.uuid4())
    try:
        return _handle(request, request_id)
    except PinpointError as exc:
        return error_response(exc, request_id=request_id)
    except DomainError as exc:
        return error_response(from_domain(exc), request_id=request_id)
    except Exception:
        log.exception("pinpoint API: unexpected error on %s %s", request.method, request.path)
        return error_response(InternalError("Internal error; it has been logged"), request_id=request_id)


def _handle(request: HttpRequest, request_id: str) -> HttpResponse:
    body = _body(request)
    raw_path, raw_query = raw_target(request)
    key = _authenticate(request, raw_path, raw_query, body)
    method = (request.method or "GET").upper()
    route, labels, path_known = route_find(method, _segments(raw_path))
    if route is None:
        if path_known:
            raise MethodNotAllowed(f"{method} is not allowed on this resource")
        raise NotFoundError("No Pinpoint operation is served at this path")
    access = _access(key, labels.get("application-id"))
    params = _params(route, labels, request)
    op = operation_get(route.operation)
    if op is None:
        raise MethodNotAllowed(unsupported_message(route.operation))
    _authorize(op, key, access)
    call = Call(
        operation=op.name,
        key=key,
        access=access,
        params=params,
        body=_payload(route.operation, body),
        request_id=request_id,
        ip=client_ip(request),
    )
    result = op.handler(call)
    shape = payload_shape(route.operation, output=True)
    if shape is None:
        response = HttpResponse(status=route.status)
        response["x-amzn-RequestId"] = request_id
        return response
    return json_response(shape_output(result, shape) or {}, status=route.status, request_id=request_id)


def _body(request: HttpRequest) -> bytes:
    """The raw body, read without Django's form-size limit (Pinpoint accepts up to 7 MB)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadRequest("Content-Length must be a number") from None
    if length > MAX_BODY:
        raise PayloadTooLarge(f"The request body is larger than {MAX_BODY // (1024 * 1024)} MB")
    return request.read(MAX_BODY + 1) if length > 0 else b""


def raw_target(request: HttpRequest) -> tuple[str, str]:
    """The path (still %-encoded, as the client signed it) and the raw query string."""
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")  # gunicorn, uWSGI
    if raw:
        if raw.startswith("/"):
            path, _, query = raw.partition("?")
            return path, query
        parts = urlsplit(raw)
        return parts.path, parts.query
    scope: Any = getattr(request, "scope", None)  # ASGI keeps the raw path
    if isinstance(scope, dict) and scope.get("raw_path"):
        return scope["raw_path"].decode("latin-1"), scope.get("query_string", b"").decode("latin-1")
    # Plain WSGI decodes the path: re-encode it exactly as botocore encodes its labels.
    path = "/".join(quote(segment, safe="-_.~") for segment in request.path.split("/"))
    return path, request.META.get("QUERY_STRING", "")


def _segments(raw_path: str) -> list[str]:
    start = raw_path.find(PREFIX)
    rest = raw_path[start + len(PREFIX) :] if start >= 0 else raw_path.lstrip("/")
    return [unquote(segment) for segment in rest.split("/")]


def _authenticate(request: HttpRequest, raw_path: str, raw_query: str, body: bytes) -> ApiKey:
    """The API key that signed the request; Forbidden for anything else."""
    try:
        credential = credential_parse(request.headers.get("Authorization", ""))
        if request.headers.get("X-Amz-Security-Token") is not None:
            raise SignatureRefused("Session tokens are not accepted: sign with an Engage API key id and secret")
        request_time_check(credential=credential, amz_date=request.headers.get("X-Amz-Date", ""), now=clock.now())
        try:
            key = apikey_authenticate(key_id=credential.key_id, secret=None, ip=client_ip(request))
        except KeyRefused as exc:
            if exc.status == 403:
                raise SignatureRefused(str(exc)) from None
            raise SignatureRefused("The security token included in the request is invalid") from None
        names = {*credential.signed_headers, "x-amz-content-sha256"}
        headers = {name: request.headers[name] for name in names if name in request.headers}
        signature_check(
            credential=credential,
            secret=key.secret,
            method=request.method or "GET",
            raw_path=raw_path,
            raw_query=raw_query,
            headers=headers,
            body=body,
        )
    except SignatureRefused as exc:
        raise Forbidden(str(exc)) from None
    return key


def _typed(value: str, member: Any, name: str) -> Any:
    if member.type_name == "boolean":
        if value.lower() not in ("true", "false"):
            raise Invalid(f"{name} must be true or false", field=name)
        return value.lower() == "true"
    if member.type_name in ("integer", "long"):
        if not value.lstrip("-").isdigit():
            raise Invalid(f"{name} must be a whole number", field=name)
        return int(value)
    return value


def _params(route: Route, labels: dict[str, str], request: HttpRequest) -> dict[str, Any]:
    """Path labels and query parameters under their member names (`ApplicationId`, `PageSize`), typed."""
    params: dict[str, Any] = {}
    for name, member in input_members(route.operation, "uri").items():
        wire = member.serialization.get("name", name)
        if wire in labels:
            params[name] = labels[wire]
    for name, member in input_members(route.operation, "querystring").items():
        value = request.GET.get(member.serialization.get("name", name))
        if value is not None:
            params[name] = _typed(value, member, name)
    return params


def _access(key: ApiKey, application_id: str | None) -> Access | None:
    """The key's access to the application named in the path (or to its own, for /v1/templates); any other
    application, existing or not, is refused alike."""
    if application_id is None:
        return None if key.tenant is None else tenant_access_for_key(key=key, tenant_id=key.tenant.public_id)
    try:
        return tenant_access_for_key(key=key, tenant_id=application_id)
    except NotFound:
        raise Forbidden(f"The API key {key.key_id} is not allowed to access application {application_id}") from None


def _authorize(op: Operation, key: ApiKey, access: Access | None) -> None:
    if op.operator_only:
        if key.role != ApiKey.Role.OPERATOR:
            raise Forbidden(f"{op.name} needs an operator key")
        return
    if not op.capabilities:
        return
    if access is None:
        raise Forbidden(f"{op.name} needs a key of the application; operator keys only manage applications")
    if not any(access.can(capability) for capability in op.capabilities):
        raise Forbidden(f"The API key's role ({access.role}) does not allow {op.name}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _payload(operation: str, body: bytes) -> dict[str, Any]:
    """The body checked against the operation's payload shape (members the model does not know are dropped)."""
    shape = payload_shape(operation, output=False)
    if shape is None:
        return {}
    try:
        data = json.loads(body, parse_constant=_reject_constant) if body.strip() else {}
    except (ValueError, RecursionError):
        raise BadRequest("The request body is not valid JSON") from None
    checked: dict[str, Any] = shape_input(data, shape)
    return checked
