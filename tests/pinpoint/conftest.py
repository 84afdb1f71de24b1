"""A real, unmodified boto3 `pinpoint` client pointed at the live test server, signing with Engage API keys."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from engage.tenancy.models import ApiKey, Tenant
from engage.tenancy.services import apikey_create
from tests.factories import TenantFactory


@dataclass
class Key:
    key: ApiKey
    secret: str

    @property
    def key_id(self) -> str:
        return self.key.key_id


Client = Any
KeyMaker = Callable[..., Key]
ClientMaker = Callable[..., Client]


@pytest.fixture
def acme(transactional_db: Any) -> Tenant:
    return TenantFactory(name="Acme")


@pytest.fixture
def globex(transactional_db: Any) -> Tenant:
    return TenantFactory(name="Globex")


@pytest.fixture
def make_key(transactional_db: Any) -> KeyMaker:
    def make(tenant: Tenant | None, role: str = ApiKey.Role.MARKETER, cidrs: list[str] | None = None) -> Key:
        if tenant is None:
            role = ApiKey.Role.OPERATOR
        key, secret = apikey_create(tenant=tenant, name="pinpoint tests", role=role, allowed_cidrs=cidrs, by="tests")
        return Key(key, secret)

    return make


@pytest.fixture
def endpoint_url(live_server: Any) -> str:
    return f"{live_server.url}/pinpoint"


@pytest.fixture
def client_for(endpoint_url: str) -> ClientMaker:
    """boto3.client("pinpoint", endpoint_url=<live server>/pinpoint, ...) for a key (or any id and secret)."""

    def make(
        key: Key | None = None, *, key_id: str = "", secret: str = "", region: str = "us-east-1", check: bool = True
    ) -> Client:
        return boto3.client(
            "pinpoint",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=key.key_id if key else key_id,
            aws_secret_access_key=key.secret if key else secret,
            config=None if check else Config(parameter_validation=False),
        )

    return make


@pytest.fixture
def acme_key(acme: Tenant, make_key: KeyMaker) -> Key:
    return make_key(acme)


@pytest.fixture
def pinpoint(acme_key: Key, client_for: ClientMaker) -> Iterator[Client]:
    """A client signing with a marketer key of Acme."""
    yield client_for(acme_key)


def body_extra(client: Client, operation: str, extra: dict[str, Any]) -> None:
    """Merge `extra` into the JSON body of `operation` before it is signed: members the model does not know, or
    values of the wrong type. botocore only sends what the model allows; other SDKs and hand-made calls may not."""

    def add(request: Any, **kwargs: Any) -> None:
        request.data = json.dumps({**json.loads(request.data or b"{}"), **extra}).encode()

    client.meta.events.register(f"before-sign.pinpoint.{operation}", add)


def error_of(call: Callable[[], Any]) -> tuple[str, str, int]:
    """(Code, Message, HTTP status) of the ClientError a call raises."""
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    assert response["Error"]["Message"] == response["Message"]  # top-level Message from the modeled error shape
    assert response["RequestID"] == response["ResponseMetadata"]["RequestId"]
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]
