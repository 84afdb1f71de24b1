"""Reading and parsing an import file in a forked process, so that it runs on its own core, beside the writes.

A thread (sources.prefetched) overlaps the database, but not the Python work of the writer: both hold the
same GIL. A forked child has its own: it reads, parses, validates and formats each chunk's COPY rows while the
parent writes the previous chunk. The child never touches the database (the connection it inherited stays
the parent's) and leaves with os._exit, so nothing of the parent is closed or flushed twice.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")
_ITEM, _DONE, _RAISED = 0, 1, 2


def fork_available() -> bool:
    """Whether this platform can fork (Linux, the deployment target, can; the thread is the fallback)."""
    return "fork" in multiprocessing.get_all_start_methods()


def _portable(exc: BaseException) -> BaseException:
    """The exception if it survives pickling; otherwise an OSError with the same text (what the reader reports)."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes, a moment old
    except Exception:  # a client library's exception that cannot be rebuilt from its args
        return OSError(str(exc))
    return exc


def _produce(make: Callable[[], Iterator[Any]], sender: Connection) -> None:
    try:
        for item in make():
            sender.send((_ITEM, item))
        sender.send((_DONE, None))
    except BrokenPipeError:
        pass  # the parent stopped reading: it no longer wants the rest
    except BaseException as exc:  # handed to the parent, which decides
        with contextlib.suppress(BrokenPipeError):
            sender.send((_RAISED, _portable(exc)))
    finally:
        sender.close()


def _child(make: Callable[[], Iterator[Any]], sender: Connection) -> None:
    _produce(make, sender)
    os._exit(0)


def forked(make: Callable[[], Iterator[T]]) -> Iterator[T]:
    """Run an iterator in a forked child; its items (pickled: plain values) are yielded here.

    The pipe holds about one item: the child works at most one item ahead. Its exceptions are raised here.
    """
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        receiver.close()
        _child(make, sender)
    sender.close()
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                raise OSError("the import's reader process stopped unexpectedly") from None
            if kind == _DONE:
                return
            if kind == _RAISED:
                raise payload
            yield payload
    finally:
        receiver.close()  # a child still sending gets BrokenPipeError and leaves
        os.waitpid(pid, 0)
