"""How a fake that answers `handle(method, path, query, headers, body) -> (status, headers, payload)` is served:
in process (an httpx transport, for tests and the demo) and over real HTTP (WSGI, for `manage.py fake_provider`).
A fake whose answers depend on the host it is reached at (Salesforce's login hosts and instance, Zoho's data
centres) sets `by_host` and takes the host after the method."""

from __future__ import annotations

import threading
from http import HTTPStatus
from typing import ClassVar
from urllib.parse import parse_qs

import httpx


class ServedFake:
    content_type = "application/json"  # when the answer names none
    by_host: ClassVar[bool] = False

    def before_request(self, request: httpx.Request) -> None:
        """A hook for switches that act on the transport itself (a simulated crash)."""

    def _answer(self, method: str, host: str, path: str, query: dict, headers: dict, body: bytes):
        if self.by_host:
            return self.handle(method, host, path, query, headers, body)
        return self.handle(method, path, query, headers, body)

    def transport(self) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            self.before_request(request)
            query = parse_qs(request.url.query.decode(), keep_blank_values=True)
            headers = {k.lower(): v for k, v in request.headers.items()}
            status, out_headers, payload = self._answer(request.method, request.url.netloc.decode(),
                                                        request.url.path, query, headers, request.read())
            return httpx.Response(status, headers=out_headers, content=payload)

        return httpx.MockTransport(handler)

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        status, out_headers, payload = self._answer(
            environ["REQUEST_METHOD"], environ.get("HTTP_HOST", ""), environ.get("PATH_INFO", "/"),
            parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True), headers, body)
        if not any(name.lower() == "content-type" for name in out_headers):
            out_headers = {"Content-Type": self.content_type, **out_headers}
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Error"
        start_response(f"{status} {reason}", [*out_headers.items(), ("Content-Length", str(len(payload)))])
        return [payload]


class FakeServer:
    """What `manage.py fake_provider <provider>` serves when the fake keeps its faults as a list tests append to:
    the fake over WSGI, plus `faults`, the named switches of `--fault name=value`."""

    def __init__(self, fake: ServedFake, faults):
        self.fake = fake
        self.faults = faults

    def __call__(self, environ, start_response):
        return self.fake(environ, start_response)


def take_fault(faults: list, lock: threading.RLock, *request) -> object | None:
    """The first armed fault matching the request, spent by one; a fault with `skip` lets that many through first."""
    with lock:
        for fault in faults:
            if fault.times > 0 and fault.matches(*request):
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                fault.times -= 1
                return fault
    return None
