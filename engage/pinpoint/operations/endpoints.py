"""Endpoints, users, events and in-app messages: UpdateEndpoint(sBatch), Get/DeleteEndpoint, Get/DeleteUserEndpoints,
PutEvents and GetInAppMessages."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from channels.services.inapp_reads import inapp_messages_for_endpoint
from engage.errors import Invalid, NotFound
from engage.pinpoint.registry import Call, operation
from engage.tenancy.models import Capability
from segments.codec import endpoint_to_pinpoint
from segments.models import Endpoint
from segments.selectors import endpoint_for_tenant, user_endpoints
from segments.services.endpoints import endpoint_delete, endpoint_upsert, endpoints_upsert
from segments.services.ingest import events_ingest

MAX_BATCH = 100


def accepted(call: Call, message: str = "Accepted") -> dict[str, Any]:
    """MessageBody."""
    return {"Message": message, "RequestID": call.request_id}


def _endpoint(call: Call) -> Endpoint:
    endpoint_id = call.params["EndpointId"]
    endpoint = endpoint_for_tenant(tenant=call.tenant, endpoint_id=endpoint_id)
    if endpoint is None:
        raise NotFound(f"Endpoint {endpoint_id} not found")
    return endpoint


def _json(call: Call, endpoint: Endpoint) -> dict[str, Any]:
    return endpoint_to_pinpoint(endpoint, application_id=call.application_id)


@operation("UpdateEndpoint", capability=Capability.INGEST)
def update_endpoint(call: Call) -> dict[str, Any]:
    """Create or merge-update the endpoint at the path's id."""
    endpoint_upsert(
        tenant=call.tenant, endpoint_id=call.params["EndpointId"], data=call.body, request_id=call.request_id
    )
    return accepted(call)


@operation("UpdateEndpointsBatch", capability=Capability.INGEST)
def update_endpoints_batch(call: Call) -> dict[str, Any]:
    """Up to 100 endpoints, all or none: one refused item refuses the request (400 naming the item)."""
    items = call.body["Item"]
    if not items or len(items) > MAX_BATCH:
        raise Invalid(f"Item must hold 1 to {MAX_BATCH} endpoints (it holds {len(items)})", field="Item")
    pairs = []
    for index, item in enumerate(items):
        if not item.get("Id"):
            raise Invalid(f"Item[{index}].Id is required", field=f"Item[{index}].Id")
        pairs.append((item["Id"], {k: v for k, v in item.items() if k != "Id"}))
    with transaction.atomic():
        results = endpoints_upsert(tenant=call.tenant, items=pairs, request_id=call.request_id)
        for index, result in enumerate(results):
            if not result.ok:
                where = f"Item[{index}]" + (f".{result.field}" if result.field else "")
                raise Invalid(f"{where} (endpoint {result.endpoint_id}): {result.message}", field=where)
    return accepted(call)


@operation("GetEndpoint", capability=Capability.VIEW)
def get_endpoint(call: Call) -> dict[str, Any]:
    return _json(call, _endpoint(call))


@operation("DeleteEndpoint", capability=Capability.EDIT)
def delete_endpoint(call: Call) -> dict[str, Any]:
    """Delete the endpoint (its events stay) and answer with what it was."""
    endpoint = endpoint_delete(tenant=call.tenant, endpoint_id=_endpoint(call).endpoint_id, by=call.key, ip=call.ip)
    return _json(call, endpoint)


def _user_endpoints(call: Call) -> list[Endpoint]:
    user_id = call.params["UserId"]
    endpoints = user_endpoints(tenant=call.tenant, user_id=user_id)
    if not endpoints:
        raise NotFound(f"User {user_id} not found")
    return endpoints


@operation("GetUserEndpoints", capability=Capability.VIEW)
def get_user_endpoints(call: Call) -> dict[str, Any]:
    return {"Item": [_json(call, e) for e in _user_endpoints(call)]}


@operation("DeleteUserEndpoints", capability=Capability.EDIT)
def delete_user_endpoints(call: Call) -> dict[str, Any]:
    """Delete every endpoint of the user (as Pinpoint did; the user's events stay, unlike the console's erasure)."""
    with transaction.atomic():
        removed = [
            endpoint_delete(tenant=call.tenant, endpoint_id=e.endpoint_id, by=call.key, ip=call.ip)
            for e in _user_endpoints(call)
        ]
    return {"Item": [_json(call, e) for e in removed]}


@operation("PutEvents", capability=Capability.INGEST)
def put_events(call: Call) -> dict[str, Any]:
    """Upsert the endpoints the batch carries and record its events; per-item results as Pinpoint gives them."""
    result = events_ingest(tenant=call.tenant, batch=call.body, request_id=call.request_id)
    return {"Results": result.results}


@operation("GetInAppMessages", capability=(Capability.INGEST, Capability.VIEW))
def get_in_app_messages(call: Call) -> dict[str, Any]:
    """The endpoint's in-app messages, for the app to show (the app's own ingest key may ask)."""
    endpoint = _endpoint(call)
    return inapp_messages_for_endpoint(tenant=call.tenant, endpoint_id=endpoint.endpoint_id)
