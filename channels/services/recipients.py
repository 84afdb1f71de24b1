"""Reading a chunk's endpoints for the send path: one raw query of the columns screening and rendering use, each
row turned straight into Pinpoint's EndpointResponse JSON — what segments.codec.endpoint_to_pinpoint makes of a
model instance, without the instance, the ORM's per-value converters or datetime objects (the dates come back
already formatted). A thousand rows per chunk, so this is on the per-message hot path."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection

from segments.codec import DEMOGRAPHIC, LOCATION_TEXT, OPT_IN, endpoint_to_pinpoint
from segments.selectors import endpoint_rows_by_ids

# segments.codec._iso's format (UTC, milliseconds truncated) done by PostgreSQL.
_ISO = """to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""
_TEXT = (*DEMOGRAPHIC.values(), *LOCATION_TEXT.values())
_SQL = f"""
    SELECT endpoint_id, channel_type, address, endpoint_status, opt_out, attributes::text, metrics::text, user_id,
        user_attributes::text, {", ".join(_TEXT)}, latitude, longitude, cohort_id, request_id,
        {_ISO.format("creation_date")}, {_ISO.format("effective_date")}, {_ISO.format("opt_in_at")}, opt_in_source
    FROM segments_endpoint WHERE tenant_id = %s AND endpoint_id = ANY(%s)
"""  # noqa: S608 (column names only)
_DEMOGRAPHIC = tuple(DEMOGRAPHIC)
_LOCATION = tuple(LOCATION_TEXT)


class EndpointRow:
    """What screening reads of an endpoint, and its EndpointResponse JSON (`data`, a fresh dict per row)."""

    __slots__ = ("address", "data", "endpoint_status", "opt_in_at", "opt_out")

    def __init__(self, address: str, endpoint_status: str, opt_out: str, opt_in_at: Any, data: dict[str, Any]) -> None:
        self.address = address
        self.endpoint_status = endpoint_status
        self.opt_out = opt_out
        self.opt_in_at = opt_in_at  # None unless the endpoint has a recorded opt-in
        self.data = data


def endpoint_rows_for_send(*, tenant_id: int, endpoint_ids: list[str], application_id: str) -> dict[str, EndpointRow]:
    """endpoint_id → EndpointRow for those of these ids that exist (one query)."""
    if not endpoint_ids:
        return {}
    if connection.vendor != "postgresql":
        found = endpoint_rows_by_ids(tenant_id=tenant_id, endpoint_ids=endpoint_ids)
        return {
            key: EndpointRow(
                e.address,
                e.endpoint_status,
                e.opt_out,
                e.opt_in_at,
                endpoint_to_pinpoint(e, application_id=application_id),
            )
            for key, e in found.items()
        }
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [tenant_id, endpoint_ids])
        rows = cursor.fetchall()
    return {row[0]: _row(row, application_id) for row in rows}


def _json(text: str | None) -> Any:
    return (json.loads(text) or None) if text and text != "{}" else None


def _row(row: tuple[Any, ...], application_id: str) -> EndpointRow:
    endpoint_id, channel_type, address, status, opt_out, attributes, metrics, user_id, user_attributes = row[:9]
    texts = row[9:21]
    latitude, longitude, cohort_id, request_id, created, effective, opt_in_at, opt_in_source = row[21:]
    out: dict[str, Any] = {"ApplicationId": application_id, "Id": endpoint_id}
    if channel_type:
        out["ChannelType"] = channel_type
    if address:
        out["Address"] = address
    out["EndpointStatus"] = status
    out["OptOut"] = opt_out
    if (value := _json(attributes)) is not None:
        out["Attributes"] = value
    if (value := _json(metrics)) is not None:
        out["Metrics"] = value
    if demographic := {k: v for k, v in zip(_DEMOGRAPHIC, texts[:8], strict=True) if v}:
        out["Demographic"] = demographic
    location: dict[str, Any] = {k: v for k, v in zip(_LOCATION, texts[8:], strict=True) if v}
    if latitude is not None:
        location["Latitude"] = latitude
    if longitude is not None:
        location["Longitude"] = longitude
    if location:
        out["Location"] = location
    user: dict[str, Any] = {"UserId": user_id} if user_id else {}
    if (value := _json(user_attributes)) is not None:
        user["UserAttributes"] = value
    if user:
        out["User"] = user
    out["CohortId"] = cohort_id
    out["CreationDate"] = created
    out["EffectiveDate"] = effective
    if request_id:
        out["RequestId"] = request_id
    if opt_in_at is not None or opt_in_source:
        out[OPT_IN] = {"Date": opt_in_at, "Source": opt_in_source}
    return EndpointRow(address, status, opt_out, opt_in_at, out)
