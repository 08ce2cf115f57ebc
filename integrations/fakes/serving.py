"""How a fake that answers `handle(method, path, query, headers, body) -> (status, headers, payload)` is served:
in process (an httpx transport, for tests and the demo) and over real HTTP (WSGI, for `manage.py fake_provider`)."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx


class ServedFake:
    content_type = "application/json"  # when the answer names none

    def before_request(self, request: httpx.Request) -> None:
        """A hook for switches that act on the transport itself (a simulated crash)."""

    def transport(self) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            self.before_request(request)
            query = parse_qs(request.url.query.decode(), keep_blank_values=True)
            headers = {k.lower(): v for k, v in request.headers.items()}
            status, out_headers, payload = self.handle(request.method, request.url.path, query, headers,
                                                       request.read())
            return httpx.Response(status, headers=out_headers, content=payload)

        return httpx.MockTransport(handler)

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        status, out_headers, payload = self.handle(environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/"),
                                                   parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True),
                                                   headers, body)
        if not any(name.lower() == "content-type" for name in out_headers):
            out_headers = {"Content-Type": self.content_type, **out_headers}
        start_response(f"{status} {'OK' if status < 400 else 'Error'}", list(out_headers.items()))
        return [payload]
