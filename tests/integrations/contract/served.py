"""A fake served over real HTTP on 127.0.0.1 by the same server `manage.py fake_provider` runs,
for the providers' own clients to talk to (contract tests)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from integrations.management.commands.fake_provider import fake_server


@contextmanager
def served(app) -> Iterator[str]:
    """Serve a fake's WSGI app on a free port for the duration of the block; yields its base URL."""
    server = fake_server(app, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
