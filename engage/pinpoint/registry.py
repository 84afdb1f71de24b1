"""The operations Engage answers: one function per Pinpoint operation, registered by name.

Each module of `engage.pinpoint.operations` registers its functions with `@operation(...)` when imported; every
module of that package is imported on first use, so adding an area (campaigns, journeys) is adding a module.
An operation of the model with no function answers 405 MethodNotAllowedException.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from engage.pinpoint.errors import Forbidden
from engage.tenancy.models import ApiKey, Tenant
from engage.tenancy.selectors import Access


@dataclass
class Call:
    """One authenticated request, translated: the key, its access to the application, and the typed inputs."""

    operation: str
    key: ApiKey
    access: Access | None
    params: dict[str, Any]
    body: dict[str, Any]
    request_id: str
    ip: str

    @property
    def tenant(self) -> Tenant:
        if self.access is not None:
            return self.access.tenant
        if self.key.tenant is not None:
            return self.key.tenant
        raise Forbidden("operator keys manage applications only; sign with a key of the application")

    @property
    def application_id(self) -> str:
        return self.tenant.public_id


Handler = Callable[[Call], Any]


@dataclass(frozen=True)
class Operation:
    name: str
    handler: Handler
    # The caller needs one of these capabilities in the application (none: any key of the application).
    capabilities: tuple[str, ...] = ()
    operator_only: bool = False
    operator_allowed: bool = False


_operations: dict[str, Operation] = {}


def operation(
    *names: str,
    capability: str | tuple[str, ...] = (),
    operator_only: bool = False,
    operator_allowed: bool = False,
) -> Callable[[Handler], Handler]:
    """Register `handler` as the implementation of the named operations."""
    capabilities = (capability,) if isinstance(capability, str) else tuple(capability)

    def register(handler: Handler) -> Handler:
        for name in names:
            _operations[name] = Operation(name, handler, capabilities, operator_only, operator_allowed)
        return handler

    return register


@lru_cache(maxsize=1)
def _loaded() -> bool:
    from engage.pinpoint import operations

    for module in pkgutil.iter_modules(operations.__path__):
        importlib.import_module(f"{operations.__name__}.{module.name}")
    return True


def operation_get(name: str) -> Operation | None:
    _loaded()
    return _operations.get(name)


def supported_operations() -> list[str]:
    _loaded()
    return sorted(_operations)


def unsupported_message(name: str) -> str:
    if "Campaign" in name or "Journey" in name:
        return f"Engage does not support {name} through the Pinpoint-compatible API yet (docs/pinpoint-migration.md)"
    return f"Engage does not support the Pinpoint operation {name}"
