"""The worker's consumer, surviving a Redis broker that dies while a task runs (celery/celery#9250 family).

Cause, with Celery 5.7 / kombu 5.7 and the prefork pool: when the broker connection drops while an
`acks_late` task is still running, `Consumer.on_connection_error_after_connected` first calls
`connection.collect()`, which detaches the transport from its client, then `connection.close()`. Closing
the default channel tries again to restore the running task's unacknowledged message, through a
transport that has no client any more: `_connparams` reads `None.hostname`. `ignore_errors` swallows
only connection errors, so that AttributeError escapes and the worker exits ("Unrecoverable error").
The solo pool rarely shows it only because its event loop is blocked while the task runs.

The task's late ack, when it ends, goes through the same detached channel and crashes the same way.

Here the AttributeError of that close is logged and the reconnect goes on, and the running tasks'
messages are marked acknowledged (they cannot be any more); the running task keeps running (a sync
waits for Redis, INTEGRATIONS_REDIS_WAIT_SECONDS, then finishes), and a redelivered copy of its
message finds the run finished and does nothing.
"""

from __future__ import annotations

import logging

from celery.worker.consumer import Consumer as CeleryConsumer
from celery.worker.state import active_requests

logger = logging.getLogger("config.celery")


class Consumer(CeleryConsumer):
    def on_connection_error_after_connected(self, exc):
        try:
            super().on_connection_error_after_connected(exc)
        except AttributeError as error:  # the broken connection's close, see the module docstring
            logger.warning("consumer: closing the lost broker connection failed (%r); reconnecting anyway", error)
            self.connection = None
        # The running tasks' messages belong to the lost connection: acking them when the tasks end would go
        # through the same detached channel and crash the worker the same way. They cannot be acked any more;
        # Redis restores them after the visibility timeout if it kept them, and that copy finds its work done.
        for request in tuple(active_requests):
            if request.task.acks_late and not request.acknowledged:
                request.acknowledged = True
