"""The two errors the renderer raises: a template problem, and a safety limit hit while rendering."""

from __future__ import annotations


class TemplateError(Exception):
    """A precise, user-readable problem with a template: `message`, and where it is (1-based line and column)."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        super().__init__(message)

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"{self.message} (line {self.line}, column {self.column})"

    def located(self, line: int, column: int) -> TemplateError:
        """The same error pointing at a place, unless it already points somewhere more precise."""
        if self.line is None:
            self.line, self.column = line, column
        return self


class RenderLimitExceeded(TemplateError):
    """Rendering was stopped: the output grew too big, it took too long, or it nested too deeply."""
