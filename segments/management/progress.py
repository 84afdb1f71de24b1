"""A terminal progress line for long operator commands: bar, percent, count, rate, failures."""

from __future__ import annotations

import time

from django.core.management.base import OutputWrapper

WIDTH = 30
EVERY = 0.2  # seconds between redraws


class ProgressLine:
    """Redraws one line in place (`\\r`); `finish()` ends it with a newline."""

    def __init__(self, out: OutputWrapper, *, noun: str) -> None:
        self.out = out
        self.noun = noun
        self.started = time.monotonic()
        self.drawn = 0.0
        self.visible = False

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def draw(self, *, fraction: float, done: int, failed: int = 0, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.drawn < EVERY:
            return
        self.drawn = now
        fraction = min(max(fraction, 0.0), 1.0)
        filled = int(WIDTH * fraction)
        rate = done / max(now - self.started, 1e-6)
        text = f"\r[{'#' * filled}{'-' * (WIDTH - filled)}] {fraction * 100:5.1f}%  {done:,} {self.noun}  {rate:,.0f}/s"
        if failed:
            text += f"  {failed:,} failed"
        self.out.write(text.ljust(90), ending="")
        self.out.flush()
        self.visible = True

    def finish(self) -> None:
        if self.visible:
            self.out.write("")
            self.visible = False
