"""Serve a fake provider over real HTTP on 127.0.0.1: `manage.py fake_provider pennylane --port 8101`.

Point a connector at it with e.g. PENNYLANE_API_BASE_URL=http://127.0.0.1:8101/api/external/v2.
The data is the demo's seeded scenario; the demo tokens are printed at start-up.
"""

from __future__ import annotations

from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from integrations.registry import FAKE_SERVERS


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Handler(WSGIRequestHandler):
    def log_message(self, format, *args):
        # The request line only: never the headers (they carry the bearer token).
        if self.server.stdout is not None:
            self.server.stdout.write(f"{self.address_string()} {format % args}\n")


def fake_server(app, *, host: str = "127.0.0.1", port: int = 0, stdout=None) -> WSGIServer:
    """The command's HTTP server around a fake's WSGI app (port 0: a free one); the caller serves it."""
    server = make_server(host, port, app, server_class=_ThreadingServer, handler_class=_Handler)
    server.stdout = stdout
    return server


class Command(BaseCommand):
    help = "Serve a fake provider (pennylane, hubspot) over HTTP on 127.0.0.1."

    def add_arguments(self, parser):
        parser.add_argument("provider", choices=sorted(FAKE_SERVERS))
        parser.add_argument("--port", type=int, default=8101)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--fault", action="append", default=[],
                            help="rate_limited=N, server_errors=N or delay=SECONDS (repeatable); HubSpot also "
                                 "search_cap=N and search_per_second=N (0: off)")

    def handle(self, *args, provider, port, host, fault, **options):
        try:
            app = import_string(FAKE_SERVERS[provider])()
        except ImportError as exc:
            raise CommandError(f"The {provider} fake is not available: {exc}") from exc
        faults = getattr(app, "faults", None)
        for item in fault:
            name, _sep, value = item.partition("=")
            if faults is None or not hasattr(faults, name):
                raise CommandError(f"Unknown fault {name!r}")
            setattr(faults, name, float(value) if name == "delay" else int(value))
        server = fake_server(app, host=host, port=port, stdout=self.stdout)
        tokens = getattr(app, "tokens", {}) or {}
        self.stdout.write(f"Fake {provider} on http://{host}:{port} (Ctrl-C to stop)")
        for token, account in tokens.items():
            self.stdout.write(f"  token {token} → account {account}")
        for token in getattr(app, "firm_tokens", {}) or {}:
            self.stdout.write(f"  firm token {token}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
