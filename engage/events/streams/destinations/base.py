"""What every destination shares: the refusal type and batching within a service's limits."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


class DeliveryError(Exception):
    """The destination did not take the batch; the message says what happened and what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def chunks(items: Sequence[T], *, max_count: int, max_bytes: int, size: Callable[[T], int]) -> Iterator[list[T]]:
    """Consecutive runs of `items` within both limits (an item larger than max_bytes goes alone)."""
    chunk: list[T] = []
    total = 0
    for item in items:
        item_size = size(item)
        if chunk and (len(chunk) >= max_count or total + item_size > max_bytes):
            yield chunk
            chunk, total = [], 0
        chunk.append(item)
        total += item_size
    if chunk:
        yield chunk
