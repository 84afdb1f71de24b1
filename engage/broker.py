"""The Celery broker transport for redis:// URLs: kombu's Redis transport, surviving a Redis restart.

Celery 5.7's consumer, on losing the broker, first `collect()`s the connection (which detaches the transport from
it) and then `close()`s it. A channel whose first close failed half-way (Redis refused the fanout queue cleanup)
is closed again then, and restoring its unacknowledged messages needs the detached connection's URL: an
AttributeError that `ignore_errors` does not catch stops the whole worker ("Unrecoverable error") instead of
reconnecting. Here a channel of a detached transport just closes: its unacknowledged messages stay in Redis's
unacked index, restored by the next connection after the visibility timeout (or gone with a restarted Redis, where
the channels sweeper and the planning lease re-enqueue the work).
"""

from __future__ import annotations

from kombu.transport import redis


class Channel(redis.Channel):
    def close(self) -> None:
        """Close; without touching Redis once the transport is detached from its connection."""
        if self.connection is None or self.connection.client is None:
            self.closed = True
            return
        super().close()


class Transport(redis.Transport):
    Channel = Channel
