"""The HTTP client every connector uses: timeouts, retries with full-jitter back-off, 429s honoured,
one shared request budget per connection, and a pluggable transport (the in-process fakes).

The Authorization header is never logged, never put in an exception message.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.utils.module_loading import import_string

from integrations.base import ConnectorError
from integrations.prefetch import raise_if_abandoned
from integrations.ratelimit import RateLimiter

logger = logging.getLogger("integrations.http")

RETRYABLE_STATUS = {500, 502, 503, 504}

# Transports mounted by origin ("http://pennylane.fake"): the in-process fakes and test doubles.
_mounted: dict[str, httpx.BaseTransport] = {}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def mount_transport(base_url: str, transport: httpx.BaseTransport | None) -> None:
    """Serve every request to this origin through `transport` (None unmounts)."""
    origin = _origin(base_url)
    if transport is None:
        _mounted.pop(origin, None)
    else:
        _mounted[origin] = transport


def transport_for(base_url: str) -> httpx.BaseTransport | None:
    origin = _origin(base_url)
    if origin in _mounted:
        return _mounted[origin]
    factory = settings.INTEGRATIONS_IN_PROCESS_FAKES.get(urlsplit(base_url).netloc)
    if factory:
        _mounted[origin] = import_string(factory)()
        return _mounted[origin]
    return None


class ProviderError(ConnectorError):
    """A response the provider refused: `status` and its parsed `error`/`message` are kept."""

    def __init__(self, message: str, *, status: int, error: str = "", details: Any = None,
                 permanent: bool = True, retry_after: float | None = None, headers: dict[str, str] | None = None):
        super().__init__(message, permanent=permanent, retry_after=retry_after)
        self.status = status
        self.error = error
        self.details = details
        # The refused response's headers (lower-case names), for the ids providers ask to quote (Intuit's intuit_tid).
        self.headers = headers or {}


def parse_error_body(response: httpx.Response) -> tuple[str, str, Any]:
    """(error code, human message, details) from either Pennylane error shape, or HubSpot's, or text."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()[:300]
        return "", text, None
    # Sage Accounting: [{"$severity", "$dataCode", "$message", "$source"}, …]
    if isinstance(body, list) and body and isinstance(body[0], dict) and "$message" in body[0]:
        return str(body[0].get("$dataCode") or ""), "; ".join(str(e.get("$message", "")) for e in body)[:300], body
    # Salesforce: a list of {"message", "errorCode", "fields"?}
    if isinstance(body, list) and body and isinstance(body[0], dict) and "errorCode" in body[0]:
        return str(body[0]["errorCode"]), str(body[0].get("message") or ""), body
    if not isinstance(body, dict):
        return "", str(body)[:300], None
    # {"error": "unprocessable_entity", "message": "...", "details": {...}}
    if "message" in body and "error" in body:
        return str(body["error"]), str(body["message"]), body.get("details")
    # {"error": "...", "status": 401}
    if "error" in body:
        return "", str(body["error"]), None
    # HubSpot: {"category", "message", "correlationId", ...}
    if "message" in body:
        # Zoho: {"code": "INVALID_TOKEN", "details": {...}, "message": "...", "status": "error"}
        code = body.get("category") or body.get("errorType") or body.get("code") or ""
        return str(code), str(body["message"]), body.get("errors") or body.get("details")
    # Xero: {"Title", "Status", "Detail"} (auth, limits) or its ApiException {"ErrorNumber", "Type", "Message", "Elements"}
    if "Detail" in body or "Message" in body:
        errors = [e.get("Message") for element in body.get("Elements") or []
                  for e in element.get("ValidationErrors") or [] if isinstance(e, dict)]
        return (str(body.get("Type") or body.get("Title") or ""), str(body.get("Detail") or body.get("Message")),
                errors or None)
    return "", str(body)[:300], None


def _headers(response: httpx.Response) -> dict[str, str]:
    return {name.lower(): value for name, value in response.headers.items()}


def _retry_after(response: httpx.Response, now: float) -> float | None:
    """Seconds the provider asks us to wait: Retry-After (seconds or HTTP date), else ratelimit-reset."""
    value = response.headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - now)
            except (TypeError, ValueError):
                pass
    reset = response.headers.get("ratelimit-reset") or response.headers.get("x-ratelimit-reset")
    if reset:
        try:
            reset_value = float(reset)
        except ValueError:
            return None
        # A unix time (Pennylane) or a number of seconds (some providers).
        return max(0.0, reset_value - now) if reset_value > 10**9 else reset_value
    return None


class ProviderClient:
    """GET/POST JSON against one provider base URL with one bearer token and one rate budget."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        limiter: RateLimiter,
        transport: httpx.BaseTransport | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        max_rate_limit_retries: int | None = None,
        backoff_base: float | None = None,
        backoff_max: float | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        headers: dict[str, str] | None = None,
        auth_scheme: str = "Bearer",  # Zoho wants "Zoho-oauthtoken"
    ):
        self.base_url = base_url.rstrip("/")
        self.limiter = limiter
        self.max_retries = settings.INTEGRATIONS_HTTP_MAX_RETRIES if max_retries is None else max_retries
        self.max_rate_limit_retries = (settings.INTEGRATIONS_HTTP_MAX_RATE_LIMIT_RETRIES
                                       if max_rate_limit_retries is None else max_rate_limit_retries)
        self.backoff_base = settings.INTEGRATIONS_BACKOFF_BASE if backoff_base is None else backoff_base
        self.backoff_max = settings.INTEGRATIONS_BACKOFF_MAX if backoff_max is None else backoff_max
        self.sleep = sleep or (lambda seconds: time.sleep(seconds))
        self.clock = clock or (lambda: time.time())
        self.requests_sent = 0
        self.slept: list[float] = []
        self._token = token
        self.auth_scheme = auth_scheme
        self._client = httpx.Client(
            base_url=self.base_url,
            transport=transport if transport is not None else transport_for(self.base_url),
            timeout=httpx.Timeout(settings.INTEGRATIONS_HTTP_TIMEOUT if timeout is None else timeout,
                                  connect=settings.INTEGRATIONS_HTTP_CONNECT_TIMEOUT),
            # `headers`: what the provider wants on every call (Xero's `xero-tenant-id`).
            headers={"Accept": "application/json", "User-Agent": "Pilotage/1.0", **(headers or {})},
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def set_token(self, token: str) -> None:
        self._token = token

    def _backoff(self, attempt: int) -> float:
        # Full jitter (AWS architecture blog): uniform over [0, min(cap, base * 2^attempt)].
        return random.uniform(0, min(self.backoff_max, self.backoff_base * (2**attempt)))

    def _wait(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.sleep(seconds)

    def get(self, path: str, *, params: dict | list | None = None, headers: dict[str, str] | None = None) -> Any:
        return self.request("GET", path, params=params, headers=headers).json()

    def post(self, path: str, *, json: Any = None) -> Any:
        return self.request("POST", path, json=json).json()

    def request(self, method: str, path: str, *, params: Any = None, json: Any = None,
                data: Any = None, auth: bool = True, headers: dict[str, str] | None = None) -> httpx.Response:
        errors = 0
        rate_limited = 0
        while True:
            raise_if_abandoned()  # a prefetch whose sync stopped reading sends nothing more
            self.limiter.acquire()
            raise_if_abandoned()
            sent = {**(headers or {}), **({"Authorization": f"{self.auth_scheme} {self._token}"} if auth else {})}
            self.requests_sent += 1
            try:
                try:
                    response = self._client.request(method, path, params=params, json=json, data=data,
                                                    headers=sent)
                finally:
                    self._settle()
            except httpx.TransportError as exc:  # timeouts, refused connections, resets
                errors += 1
                logger.warning("%s %s%s: %s (attempt %s)", method, self.base_url, path, type(exc).__name__, errors)
                if errors > self.max_retries:
                    raise ConnectorError(f"The provider could not be reached ({type(exc).__name__}).",
                                         permanent=False) from None
                self._wait(self._backoff(errors))
                continue
            logger.debug("%s %s%s → %s", method, self.base_url, path, response.status_code)
            if response.status_code == 429:
                rate_limited += 1
                wait = _retry_after(response, self.clock())
                if rate_limited > self.max_rate_limit_retries:
                    raise ProviderError("The provider's rate limit was still exceeded after several waits.",
                                        status=429, permanent=False, retry_after=wait,
                                        headers=_headers(response))
                if wait is not None and wait > settings.INTEGRATIONS_HTTP_MAX_RATE_LIMIT_WAIT:
                    # A daily budget spent (Xero's `X-Rate-Limit-Problem: day`): the run is retried later, not slept.
                    raise ProviderError(f"The provider's rate limit is spent for {int(wait)} s.",
                                        status=429, permanent=False, retry_after=wait, headers=_headers(response))
                self._wait(wait + random.uniform(0, 0.05) if wait is not None else self._backoff(rate_limited))
                continue
            if response.status_code in RETRYABLE_STATUS:
                errors += 1
                if errors > self.max_retries:
                    code, message, details = parse_error_body(response)
                    raise ProviderError(f"The provider answered {response.status_code}: {message}",
                                        status=response.status_code, error=code, details=details,
                                        permanent=False, retry_after=_retry_after(response, self.clock()),
                                        headers=_headers(response))
                self._wait(self._backoff(errors))
                continue
            if response.status_code >= 400:
                code, message, details = parse_error_body(response)
                # 401 (bad or expired token) and 403 (missing scope) need the admin; the rest is ours.
                raise ProviderError(f"The provider answered {response.status_code}: {message}",
                                    status=response.status_code, error=code, details=details,
                                    permanent=response.status_code not in (408, 409), headers=_headers(response))
            self._respect_remaining(response)
            return response

    def _settle(self) -> None:
        """Count the request's slot from its answer (RateLimiter.settle): never over the provider's count."""
        settle = getattr(self.limiter, "settle", None)
        if settle is not None:
            settle()

    def _respect_remaining(self, response: httpx.Response) -> None:
        """When the provider says the budget is spent by requests our shared budget did not count (another
        app on the token), wait for its reset instead of earning a 429. When ours is spent too, both count
        the same requests and the limiter waits just as long as needed; sleeping until the provider's
        reset (whole seconds) as well would leave up to a second of every window unused."""
        remaining = response.headers.get("ratelimit-remaining")
        if remaining is not None and remaining.strip() == "0":
            has_room = getattr(self.limiter, "has_room", None)
            if has_room is not None and not has_room():
                return
            wait = _retry_after(response, self.clock())
            if wait:
                self._wait(min(wait, self.backoff_max))
