"""Where import bytes come from: an uploaded file, a local file (the CLI), or every object under an S3 prefix.

Each source is read as a byte stream whose compressed bytes are counted (the job's progress); gzip is
recognised by its magic bytes, whatever the file is called.
"""

from __future__ import annotations

import gzip
import io
import queue
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from segments.models import ImportJob
from segments.services.s3 import S3_ERRORS, S3Error, s3_client, s3_describe, s3_parse

T = TypeVar("T")
GZIP_MAGIC = b"\x1f\x8b"
# What may break while a file is being read: a cut or corrupt gzip stream, S3 dropping the connection.
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error, *S3_ERRORS)


class SourceError(Exception):
    """The job's file cannot be found or opened."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Piece:
    """One file of an import: its name in the error report, its size, and how to open it."""

    name: str
    size: int
    opener: Callable[[], IO[bytes]]


class Counting(io.RawIOBase):
    """A raw byte stream over anything with read(n), counting the bytes that went through."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.source.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        return size

    def close(self) -> None:
        try:
            self.source.close()
        finally:
            super().close()


def open_lines(raw: IO[bytes]) -> tuple[IO[bytes], Counting]:
    """The file's lines (gunzipped when it starts with gzip's magic bytes) and the counter of bytes read."""
    counter = Counting(raw)
    buffered = io.BufferedReader(counter, 1 << 16)
    if buffered.peek(2)[:2] == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=buffered, mode="rb"), counter  # type: ignore[return-value]
    return buffered, counter


def s3_pieces(url: str) -> list[Piece]:
    """Every object under an s3://bucket/prefix, recursively, in key order (folders and empty objects skipped)."""
    bucket, prefix = s3_parse(url, field="S3Url")
    client = s3_client()
    found: list[tuple[str, int]] = []
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            found += [
                (o["Key"], o["Size"]) for o in page.get("Contents", []) if not o["Key"].endswith("/") and o["Size"]
            ]
    except S3_ERRORS as exc:
        raise S3Error(f"could not list {url}: {s3_describe(exc)}") from exc
    if not found:
        raise S3Error(f"there are no files under {url}")

    def opener(key: str) -> Callable[[], IO[bytes]]:
        def open_object() -> IO[bytes]:
            try:
                return client.get_object(Bucket=bucket, Key=key)["Body"]  # type: ignore[no-any-return]
            except S3_ERRORS as exc:
                raise S3Error(f"could not read s3://{bucket}/{key}: {s3_describe(exc)}") from exc

        return open_object

    return [Piece(f"s3://{bucket}/{key}", size, opener(key)) for key, size in sorted(found)]


def job_pieces(job: ImportJob, *, local_path: str | None = None) -> list[Piece]:
    """The files of a job: the CLI's local file, the objects under its S3 URL, or its uploaded file."""
    if job.source.startswith("s3://") and local_path is None:
        return s3_pieces(job.source)
    try:
        if local_path is not None:
            path = Path(local_path)
            return [Piece(path.name, path.stat().st_size, lambda: path.open("rb"))]
        if job.upload:
            upload = job.upload
            return [Piece(job.source, upload.size, lambda: upload.open("rb"))]
    except OSError:
        raise SourceError(f"the file {job.source} is gone (was it deleted?): upload it again") from None
    raise SourceError("the job has no file to read: upload a file or give an s3:// URL")


class _Raised:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


_DONE = object()


def prefetched(make: Callable[[], Iterator[T]], *, depth: int = 2) -> Iterator[T]:
    """Run an iterator in a thread, `depth` items ahead, so reading and parsing overlap the database writes.

    The thread must not touch the database; its exceptions are raised here, in the consumer.
    """
    items: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in make():
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which decides
            put(_Raised(exc))

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                return
            if isinstance(item, _Raised):
                raise item.exc
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                items.get(timeout=0.1)
            except queue.Empty:
                continue
        thread.join()
