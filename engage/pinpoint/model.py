"""botocore's service model for `pinpoint`, read once, and the route table generated from it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape


@dataclass(frozen=True)
class Route:
    """One operation's method and path template, as `/v1/apps/{application-id}/segments` split into parts."""

    operation: str
    method: str
    parts: tuple[str, ...]
    status: int

    @property
    def literal_count(self) -> int:
        return sum(1 for part in self.parts if not part.startswith("{"))

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """The path labels (wire name → decoded value) when the segments fit this template."""
        if len(segments) != len(self.parts):
            return None
        labels: dict[str, str] = {}
        for part, segment in zip(self.parts, segments, strict=True):
            if part.startswith("{"):
                if not segment:
                    return None
                labels[part[1:-1]] = segment
            elif part != segment:
                return None
        return labels


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """The `pinpoint` model that ships with the installed botocore (the same one boto3 clients use)."""
    return botocore.session.get_session().get_service_model("pinpoint")


def operation_model(name: str) -> OperationModel:
    return service_model().operation_model(name)


@lru_cache(maxsize=1)
def routes() -> tuple[Route, ...]:
    """Every operation's route, templates with more literal segments first (`/v1/templates` before labels)."""
    found = []
    for name in service_model().operation_names:
        http = operation_model(name).http
        path = http["requestUri"].split("?")[0]
        parts = tuple(path.strip("/").split("/"))
        found.append(Route(name, http["method"].upper(), parts, int(http.get("responseCode", 200))))
    return tuple(sorted(found, key=lambda r: (-r.literal_count, r.parts)))


def route_find(method: str, segments: list[str]) -> tuple[Route | None, dict[str, str], bool]:
    """(route, labels, path_known): the operation for this method and path; path_known when only the method
    is wrong (a 405 rather than a 404)."""
    path_known = False
    for route in routes():
        labels = route.match(segments)
        if labels is None:
            continue
        if route.method == method:
            return route, labels, True
        path_known = True
    return None, {}, path_known


def payload_shape(operation: str, *, output: bool) -> Shape | None:
    """The structure that is the whole request (or response) body, if the operation has one."""
    model = operation_model(operation)
    shape = model.output_shape if output else model.input_shape
    if shape is None:
        return None
    member = shape.serialization.get("payload")
    return shape.members[member] if member else None


def input_members(operation: str, location: str) -> dict[str, Shape]:
    """The input members carried in the path (`uri`) or query string (`querystring`), by member name."""
    shape = operation_model(operation).input_shape
    if shape is None:
        return {}
    return {n: m for n, m in shape.members.items() if m.serialization.get("location") == location}
