"""A campaign run survives a PostgreSQL restart and a Redis restart in the middle of its sends.

Everything runs on a private PostgreSQL cluster and a private redis-server (spare ports, `tests/private_servers.py`)
that the test stops and starts again, checking that each came back as a new process. A real Celery worker and a
beat stand-in (this process publishing `channels.sweep` and `campaigns.tick` every second, as beat would) work on
them; the Django side of the test (seeding, launching, reading the ledger) runs in `restart_driver` processes on
the private servers' URLs, so this process's own settings and test database are never repointed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from celery import Celery

from tests.channels.webhook_server import running_hook
from tests.conftest import ROOT, worker_stop
from tests.private_servers import PrivatePostgres, PrivateRedis

pytestmark = [pytest.mark.worker]

COUNT = 5000  # five planning chunks; the sandbox commits a chunk's 1,000 rows at once
MPS = 250  # the campaign's MessagesPerSecond: the sends last ~20 s, long enough to be interrupted twice
LEASE_SECONDS = 15  # CHANNELS_LEASE_SECONDS for the private worker (wall clock: the test clock lives in Redis)
DOWN_SECONDS = 2.0  # how long each server stays down
PENDING = {"queued", "held", "sending"}  # channels.models.ledger.PENDING_STATUSES


@pytest.fixture(scope="module")
def private_pg() -> Iterator[PrivatePostgres]:
    """A private cluster with a migrated template database, cloned for each test."""
    pg = PrivatePostgres()
    try:
        pg.start()
        pg.execute("CREATE DATABASE engage_template")
        env = _env(pg.url("engage_template"), "redis://127.0.0.1:1/0")
        done = subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-3000:]
        yield pg
    finally:
        pg.destroy()


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    try:
        server.start()
        yield server
    finally:
        server.destroy()


def _env(database_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url, PYTHONUNBUFFERED="1")
    env.update(
        DJANGO_SETTINGS_MODULE="engage.settings",
        ENGAGE_TEST_CLOCK="0",
        ENGAGE_SQLITE_COMPARE_DB="0",
        CHANNELS_LEASE_SECONDS=str(LEASE_SECONDS),
        EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS="1",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("CELERY_BROKER_URL", None)
    return env


@dataclass
class Stack:
    """The private servers, a database cloned for this test, and the processes working on them."""

    pg: PrivatePostgres
    redis: PrivateRedis
    database: str
    log: Path
    probe: Celery = field(init=False)

    def __post_init__(self) -> None:
        self.env = _env(self.pg.url(self.database), self.redis.url())
        self.probe = self._probe()

    def _probe(self) -> Celery:
        """A bare Celery app on the private broker: pings the worker and publishes beat's tasks by name."""
        probe = Celery("probe", broker=self.redis.url())
        probe.conf.broker_connection_timeout = 2
        return probe

    def driver(self, *args: str) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-m", "tests.campaigns.restart_driver", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    def worker(self) -> subprocess.Popen[bytes]:
        """A real Celery worker (2 processes, every queue) on the private servers, answering a ping."""
        name = f"restart-{os.getpid()}-{time.monotonic_ns()}@%h"
        args = ["-A", "engage", "worker", "-c", "2", "-l", "INFO", "-n", name, "--without-gossip", "--without-mingle"]
        with open(self.log, "ab") as out:
            proc = subprocess.Popen(
                [str(Path(sys.executable).with_name("celery")), *args, "-Q", "default,sends,events,imports"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while not self.probe.control.ping(timeout=0.5):
            if proc.poll() is not None or time.monotonic() > deadline:
                worker_stop(proc)
                raise AssertionError(f"the worker did not start: {self.log.read_text()[-3000:]}")
        return proc

    def beat(self) -> None:
        """What beat does every few seconds: publish the sweeper and the scheduler tick (lost while Redis is down)."""
        for name, queue in (("channels.sweep", "sends"), ("campaigns.tick", "default")):
            try:
                self.probe.send_task(name, queue=queue, retry=False)
            except Exception:
                self.probe = self._probe()  # a fresh connection pool for the next tick

    def ledger(self, tenant: int) -> Counter[str]:
        """Ledger rows by status, read straight from the private database (None while it is down)."""
        rows = self.pg.execute(
            f"SELECT status, count(*) FROM channels_delivery WHERE tenant_id = {int(tenant)} GROUP BY status",
            self.database,
        )
        return Counter({str(status): int(str(n)) for status, n in rows})


@pytest.fixture
def stack(private_pg: PrivatePostgres, private_redis: PrivateRedis, tmp_path: Path) -> Stack:
    database = f"engage_restart_{time.monotonic_ns()}"
    private_pg.execute(f"CREATE DATABASE {database} TEMPLATE engage_template")
    return Stack(pg=private_pg, redis=private_redis, database=database, log=tmp_path / "worker.log")


@contextmanager
def beating(stack: Stack, every: float = 1.0) -> Iterator[None]:
    """Run the beat stand-in in a thread for the duration of the block."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            stack.beat()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def _wait_sent(stack: Stack, tenant: int, at_least: int, seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while True:
        sent = stack.ledger(tenant)["sent"]
        if sent >= at_least:
            return sent
        assert time.monotonic() < deadline, f"only {sent} sent, waiting for {at_least}: {stack.log.read_text()[-3000:]}"
        time.sleep(0.1)


def _wait_settled(stack: Stack, tenant: int, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            counts = stack.ledger(tenant)
        except Exception:
            counts = Counter()
        if sum(counts.values()) >= COUNT and not set(counts) & PENDING:
            return
        assert time.monotonic() < deadline, f"the ledger did not settle: {dict(counts)}"
        time.sleep(0.5)


def _restart_postgres(stack: Stack) -> None:
    before = stack.pg.pid()
    stack.pg.restart(down_seconds=DOWN_SECONDS)
    assert stack.pg.pid() != before, "PostgreSQL was not restarted"


def _restart_redis(stack: Stack) -> None:
    before = stack.redis.pid()
    stack.redis.restart(down_seconds=DOWN_SECONDS)
    assert stack.redis.pid() != before, "Redis was not restarted"


def _run(stack: Stack, **launch: str) -> tuple[dict[str, Any], dict[str, Any], list[int]]:
    """Launch, restart PostgreSQL once the first sends are committed and Redis a fifth of the sends later, then
    wait for every row to settle and the tick to complete the run."""
    worker = stack.worker()
    sent_at_restart = []
    try:
        with beating(stack):
            launched = stack.driver("launch", "--count", str(COUNT), "--mps", str(MPS), *_flags(launch))
            tenant = int(launched["tenant"])
            sent_at_restart.append(_wait_sent(stack, tenant, 1))
            _restart_postgres(stack)
            sent_at_restart.append(_wait_sent(stack, tenant, sent_at_restart[0] + COUNT // 5))
            _restart_redis(stack)
            _wait_settled(stack, tenant)
            assert worker.poll() is None, f"the worker died: {stack.log.read_text()[-3000:]}"
            # The tick completes the run once every row is terminal.
            deadline = time.monotonic() + 30
            while (report := stack.driver("report", "--tenant", str(tenant), "--campaign", str(launched["campaign"])))[
                "runs"
            ][0]["status"] != "COMPLETED":
                assert time.monotonic() < deadline, report["runs"]
                time.sleep(1)
    finally:
        worker_stop(worker)
    log = stack.log.read_text()
    # Both outages reached the worker while it worked: it lost its database connections and its broker.
    assert "OperationalError" in log and "Connection to broker lost" in log
    return launched, report, sent_at_restart


def _flags(launch: dict[str, str]) -> list[str]:
    return [part for key, value in launch.items() for part in (f"--{key.replace('_', '-')}", value)]


def test_a_push_campaign_survives_postgres_and_redis_restarts_mid_send(stack: Stack) -> None:
    launched, report, sent_at_restart = _run(stack, channel="PUSH")
    assert all(sent < COUNT for sent in sent_at_restart), f"the run ended before a restart: {sent_at_restart}"
    rows = report["rows"]
    per_endpoint = Counter(endpoint for endpoint, _, _, _, _ in rows)
    assert set(per_endpoint) == set(launched["endpoints"]) and set(per_endpoint.values()) == {1}
    # The sandbox is idempotent and writes its Outbox entry in the ledger row's own transaction: exactly once.
    assert report["statuses"] == {"sent:": COUNT}
    assert len({key for *_, key in rows}) == COUNT
    assert report["runs"] == [{"status": "COMPLETED", "planned": COUNT, "counts": {"sent": COUNT}}]
    assert report["campaign"] == "COMPLETED"


def test_a_webhook_campaign_sends_nothing_twice_across_restarts(stack: Stack) -> None:
    with running_hook(keep_bodies=False) as hook:
        launched, report, sent_at_restart = _run(stack, channel="CUSTOM", hook_url=hook.url)
        keys, addresses = dict(hook.keys), dict(hook.addresses)
    assert all(sent < COUNT for sent in sent_at_restart), f"the run ended before a restart: {sent_at_restart}"
    rows = report["rows"]
    assert Counter(endpoint for endpoint, *_ in rows) == Counter(launched["endpoints"])
    # Nothing twice at the receiver: no Idempotency-Key and no address arrived more than once.
    assert [k for k, n in keys.items() if n > 1] == []
    assert [a for a, n in addresses.items() if n > 1] == []
    sent = {address for _, address, status, _, _ in rows if status == "sent"}
    unknown = {address for _, address, status, _, _ in rows if status == "unknown"}
    assert sent <= set(addresses), "every row marked sent reached the receiver"
    assert set(addresses) - sent <= unknown, "whatever arrived but is not marked sent is unknown"
    # The rest are accounted for: only the batches in flight when a server went away, with the reason.
    assert set(report["statuses"]) <= {"sent:", "unknown:worker_lost"}, report["statuses"]
    assert len(unknown) <= 2 * 2 * 50, report["statuses"]
    assert report["runs"][0]["status"] == "COMPLETED" and report["campaign"] == "COMPLETED"
