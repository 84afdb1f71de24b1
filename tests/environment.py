"""Loaded with `-p tests.environment` before Django is set up: the test suite runs on PostgreSQL and Redis.

Override any of these in the environment (for example TEST_DATABASE_URL / TEST_REDIS_URL).
"""

from __future__ import annotations

import os

os.environ.setdefault("DATABASE_URL", os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/engage"))
os.environ.setdefault("REDIS_URL", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9"))
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "dGVzdC1maWVsZC1lbmNyeXB0aW9uLWtleS0wMTIzNDU=")
os.environ.setdefault("ENGAGE_TEST_CLOCK", "1")
os.environ.setdefault("EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS", "1")  # local receivers and moto servers
os.environ.setdefault("ENGAGE_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))
os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API keeps an event loop in the main thread
os.environ.setdefault("WHITENOISE_USE_FINDERS", "1")
os.environ.setdefault("ENGAGE_SQLITE_COMPARE_DB", "1")
