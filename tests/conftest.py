"""Shared fixtures: tenants and members, API clients, the shared clock and a real Celery worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect
from rest_framework.test import APIClient

from engage import clock
from engage.redis import redis_client
from engage.tenancy.models import ApiKey, Membership, Role, Tenant
from engage.tenancy.services import apikey_create
from tests.factories import PASSWORD, MembershipFactory, TenantFactory, UserFactory

# Two test processes, a worker and a browser share two cores: give pages time before an expectation fails.
expect.set_options(timeout=15_000)

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "var" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session", autouse=True)
def _clean_redis() -> Iterator[None]:
    """The suite owns its Redis database: start from empty (no stale clock offset, caches or queues)."""
    redis_client().flushdb()
    yield


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
def tenant(db: Any) -> Tenant:
    return TenantFactory(name="Acme")


@pytest.fixture
def other_tenant(db: Any) -> Tenant:
    return TenantFactory(name="Globex")


@pytest.fixture
def member_factory(db: Any) -> Callable[..., Membership]:
    def make(tenant: Tenant, role: str = Role.MARKETER, email: str | None = None) -> Membership:
        user = UserFactory(**({"email": email} if email else {}))
        return MembershipFactory(tenant=tenant, user=user, role=role)

    return make


@pytest.fixture
def owner(tenant: Tenant, member_factory: Callable[..., Membership]) -> Membership:
    return member_factory(tenant, Role.OWNER, "owner@acme.test")


@pytest.fixture
def api(owner: Membership) -> APIClient:
    """An API client logged in as the tenant's owner."""
    client = APIClient()
    client.force_authenticate(owner.user)
    return client


@pytest.fixture
def owner_client(owner: Membership) -> Client:
    """A console (Django test client) session logged in as the tenant's owner."""
    client = Client()
    client.force_login(owner.user)
    return client


@pytest.fixture
def client_for() -> Callable[[Membership], APIClient]:
    def make(membership: Membership) -> APIClient:
        client = APIClient()
        client.force_authenticate(membership.user)
        return client

    return make


@pytest.fixture
def key_client(db: Any) -> Callable[..., tuple[APIClient, ApiKey]]:
    """An API client authenticated with a real key (Authorization: Bearer id:secret)."""

    def make(
        tenant: Tenant | None, role: str = ApiKey.Role.MARKETER, cidrs: list[str] | None = None
    ) -> tuple[APIClient, ApiKey]:
        key, secret = apikey_create(tenant=tenant, name="test", role=role, allowed_cidrs=cidrs, by="tests")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.key_id}:{secret}")
        return client, key

    return make


def _worker_env(mail_dir: Path) -> dict[str, str]:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = dict(os.environ, DATABASE_URL=url, PYTHONUNBUFFERED="1")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # Mail the worker sends lands in files that tests can read (see `worker_mail_dir`).
    env["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    env["EMAIL_FILE_PATH"] = str(mail_dir)
    return env


@pytest.fixture(scope="session")
def worker_mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder where the Celery worker's file-based email backend writes every message it sends."""
    return tmp_path_factory.mktemp("worker-mail")


def worker_start(
    *,
    log: Path,
    mail_dir: Path,
    concurrency: int = 2,
    queues: str = "default,sends,events,imports",
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start a real Celery worker process (in its own process group, so a test can SIGKILL all of it) on the
    test database and Redis, and wait until it answers a ping."""
    from engage.celery import app

    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "engage",
                "worker",
                "-Q",
                queues,
                "-c",
                str(concurrency),
                "-l",
                "INFO",
                "-n",
                f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env={**_worker_env(mail_dir), **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Celery worker exited: {log.read_text()[-2000:]}")
        if app.control.ping(timeout=0.5):
            return proc
    worker_stop(proc)
    raise RuntimeError(f"the Celery worker did not answer a ping in 60 s: {log.read_text()[-2000:]}")


def worker_stop(proc: subprocess.Popen[bytes]) -> None:
    """Warm shutdown, then kill the whole process group if it lingers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def celery_worker(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory, worker_mail_dir: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker process on the test database and the test Redis, serving all four queues.

    Module-scoped, with the queues purged before and after: tasks queued by other tests never reach it, and
    nothing it leaves behind runs while later tests work.
    """
    from engage.celery import app

    app.control.purge()
    proc = worker_start(log=tmp_path_factory.mktemp("worker") / "worker.log", mail_dir=worker_mail_dir)
    yield proc
    worker_stop(proc)
    app.control.purge()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def shot(page: Page) -> Callable[[str], None]:
    """Save full-page screenshots in var/screenshots/ (a module may define its own `shot`)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(VIEWPORT)

    def save(name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return save


@pytest.fixture
def login(page: Page, live_server: Any) -> Callable[[str], None]:
    """Log in through the login form (a module may define its own `login`)."""

    def log_in(email: str, password: str = PASSWORD) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        # Wait for the next page to load (deferred scripts included) before touching its controls.
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()

    return log_in
