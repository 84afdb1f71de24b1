from __future__ import annotations

from django.conf import settings


def test_it_runs_on_postgresql_and_redis() -> None:
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.REDIS_URL.startswith("redis://")
