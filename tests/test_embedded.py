"""The embedded default end to end: `manage.py up` with no DATABASE_URL and no REDIS_URL.

It runs on SQLite and the bundled Redis in a fresh var dir, serves the demo login, and Ctrl-C stops
every process it started.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from engage.runtime.demo import DEMO_EMAIL, DEMO_PASSWORD

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
SCREENSHOTS = ROOT / "var" / "screenshots"
# Whatever could point `up` at the test suite's services, secrets or test-only switches instead of
# its embedded default (every ENGAGE_* and TEST_* variable goes too; ENGAGE_VAR_DIR is set afresh).
NOT_INHERITED = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "SQLITE_PATH",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEY",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "WHITENOISE_USE_FINDERS",
    "EMAIL_BACKEND",
    "EMAIL_FILE_PATH",
)


@dataclass
class Up:
    process: subprocess.Popen[bytes]
    url: str
    var_dir: Path
    log: Path

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _readyz(url: str) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
            return json.loads(response.read()) if response.status == 200 else None
    except OSError:  # refused while gunicorn starts, or 503 (HTTPError) until both checks pass
        return None


def _alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _started_for(var_dir: Path) -> set[int]:
    """Live processes started by `up` for this var dir, even ones re-parented after an escape."""
    marker = f"ENGAGE_VAR_DIR={var_dir}".encode()
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if (marker in environ or str(var_dir).encode() in cmdline) and _alive(int(entry.name)):
            pids.add(int(entry.name))
    return pids


def _describe(pids: set[int]) -> list[str]:
    described = []
    for pid in sorted(pids):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            cmdline = "(gone)"
        described.append(f"{pid}: {cmdline}")
    return described


StartUp = Callable[[], "Up"]


@pytest.fixture
def start_up(tmp_path: Path) -> Iterator[StartUp]:
    started: list[Up] = []

    def start() -> Up:
        var_dir = tmp_path / "var"
        env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED and not k.startswith(("ENGAGE_", "TEST_"))}
        env.update(ENGAGE_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
        port = _free_port()
        log = tmp_path / "up.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [str(PYTHON if PYTHON.exists() else sys.executable), "manage.py", "up", "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        up = Up(process=process, url=f"http://127.0.0.1:{port}", var_dir=var_dir, log=log)
        started.append(up)
        return up

    yield start
    for up in started:  # a failed test must not leave its processes behind: stop exactly those
        leftovers = _descendants(up.process.pid) | _started_for(up.var_dir)
        if up.process.poll() is None:
            up.process.kill()
            up.process.wait()
        for pid in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _interrupt_and_check_all_stopped(up: Up, tree: set[int]) -> int:
    up.process.send_signal(signal.SIGINT)
    try:
        status = up.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`up` did not stop within 30 s of Ctrl-C\n{up.log_tail()}")
    deadline = time.monotonic() + 5  # orphans are reaped by init a moment after their parent exits
    while time.monotonic() < deadline and ({p for p in tree if _alive(p)} or _started_for(up.var_dir)):
        time.sleep(0.1)
    left = {p for p in tree if _alive(p)} | _started_for(up.var_dir)
    assert not left, f"still running after `up` stopped: {_describe(left)}\n{up.log_tail()}"
    return status


@pytest.mark.browser
def test_it_runs_the_console_on_sqlite_and_bundled_redis_and_stops_on_ctrl_c(page: Page, start_up: StartUp) -> None:
    up = start_up()
    deadline = time.monotonic() + 90
    ready = None
    while time.monotonic() < deadline and ready is None:
        if up.process.poll() is not None:
            pytest.fail(f"`up` exited with {up.process.returncode} while starting\n{up.log_tail()}")
        ready = _readyz(up.url)
        if ready is None:
            time.sleep(0.5)
    assert ready == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}, up.log_tail()

    page.goto(f"{up.url}/")
    page.get_by_label("Email").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    # Wait for the next page to load (deferred scripts included) before touching its controls.
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(up.url)}/t/[0-9a-f]{{32}}/campaigns/$"))
    expect(page.get_by_role("heading", name="Campaigns", exact=True)).to_be_visible()
    expect(page.locator("#campaigns-empty, #campaigns")).to_be_visible()
    expect(page.locator(".switcher summary")).to_contain_text("Demo")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "embedded-campaigns.png"), full_page=True)

    # The demo's first campaign goes out through the embedded worker into the sandbox Outbox.
    campaigns_url = page.url
    page.get_by_role("link", name="Welcome to Engage").click()
    page.get_by_role("button", name="Launch…").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Launch now").click()
    page.goto(campaigns_url.replace("/campaigns/", "/channels/outbox/"))
    expect(page.locator("details.msg")).to_have_count(20, timeout=60_000)
    expect(page.locator(".outbox")).to_contain_text("Welcome, Ada")
    page.screenshot(path=str(SCREENSHOTS / "embedded-outbox.png"), full_page=True)

    # The demo journey runs on SQLite too: published from the builder, beat enters the segment and the advancer
    # sends its first email to all twenty.
    page.goto(campaigns_url.replace("/campaigns/", "/journeys/"))
    page.get_by_role("link", name="Welcome series").click()
    page.get_by_role("button", name="Review & publish").click()
    review = page.locator(".jb-panel")
    expect(review.locator("[data-errors]")).to_have_text("No errors: the journey can run.")
    for _ in range(review.get_by_role("button", name="Mark as reviewed").count()):
        review.get_by_role("button", name="Mark as reviewed").first.click()
    with page.expect_navigation():
        review.get_by_role("button", name="Publish").click()
    expect(page.locator("#journey-state")).to_have_text("Active")
    page.goto(campaigns_url.replace("/campaigns/", "/channels/outbox/"))
    expect(page.locator("details.msg")).to_have_count(40, timeout=90_000)
    expect(page.locator(".outbox")).to_contain_text("Welcome, Grace")

    database = up.var_dir / "engage.sqlite3"
    assert database.exists(), "the embedded default keeps its SQLite database in ENGAGE_VAR_DIR"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert (up.var_dir / "redis.sock").exists(), "the bundled Redis listens on a socket in ENGAGE_VAR_DIR"

    tree = _descendants(up.process.pid)
    names = " ".join(_describe(tree))
    for part in ("redis-server", "celery -A engage worker", "celery -A engage beat", "gunicorn engage.wsgi"):
        assert part in names, f"{part} is not running under `up`: {names}"

    assert _interrupt_and_check_all_stopped(up, tree) == 0, up.log_tail()
    assert "Stopped." in up.log_tail()


def test_it_stops_what_had_started_when_interrupted_while_starting(start_up: StartUp) -> None:
    up = start_up()
    deadline = time.monotonic() + 60
    while not (up.var_dir / "redis.sock").exists():  # Redis is up; migrations or the web are starting
        assert time.monotonic() < deadline and up.process.poll() is None, up.log_tail()
        time.sleep(0.05)
    tree = _descendants(up.process.pid)

    status = _interrupt_and_check_all_stopped(up, tree)

    assert status in (0, 130), up.log_tail()  # 130: interrupted before everything ran; 0: just after
