"""Encryption at rest for secrets (API key secrets, channel credentials) with FIELD_ENCRYPTION_KEY.

The first key encrypts; every key decrypts, so keys rotate by prepending a new one and running
`manage.py encryption rotate`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plain: str) -> str:
    """Encrypt a string with the current primary key."""
    return fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a token made with any configured key."""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError(
            "cannot decrypt: the value was encrypted with a key FIELD_ENCRYPTION_KEY no longer holds"
        ) from None


def rotate(token: str) -> str:
    """Re-encrypt a token under the current primary key."""
    return fernet().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """A text column stored as a Fernet token and read back as plain text."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return None if value is None else encrypt(str(value))
