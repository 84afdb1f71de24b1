"""Loaded with `-p tests.environment` before Django is set up: the test suite runs on PostgreSQL and Redis.

Override any of these in the environment (for example TEST_DATABASE_URL / TEST_REDIS_URL).
"""

from __future__ import annotations

import os
import re

# Under pytest-xdist each worker gets its own Redis database (pytest-django already gives each its own test
# database), so one worker's clock offset, caches, watermarks and queues never reach another's. Workers inherit
# the controller's environment, so the base URL is kept aside and REDIS_URL is overridden, not defaulted.
os.environ.setdefault("ENGAGE_TEST_REDIS_BASE", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9"))
_worker = int(re.sub(r"\D", "", os.environ.get("PYTEST_XDIST_WORKER", "")) or 0)
if os.environ.get("PYTEST_XDIST_WORKER"):
    base, _, db = os.environ["ENGAGE_TEST_REDIS_BASE"].rpartition("/")
    os.environ["REDIS_URL"] = f"{base}/{(int(db or 0) + 1 + _worker) % 16}"
os.environ.setdefault("DATABASE_URL", os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/engage"))
os.environ.setdefault("REDIS_URL", os.environ["ENGAGE_TEST_REDIS_BASE"])
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "dGVzdC1maWVsZC1lbmNyeXB0aW9uLWtleS0wMTIzNDU=")
os.environ.setdefault("ENGAGE_TEST_CLOCK", "1")
os.environ.setdefault("EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS", "1")  # local receivers and moto servers
os.environ.setdefault("ENGAGE_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))
# Playwright's sync API keeps an event loop in the main thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("WHITENOISE_USE_FINDERS", "1")
os.environ.setdefault("ENGAGE_SQLITE_COMPARE_DB", "1")
