import logging

import httpx
import pytest

from integrations.base import ConnectorError
from integrations.http import ProviderClient, ProviderError, parse_error_body
from integrations.ratelimit import MemoryRateLimiter


def _client(handler, **kwargs):
    return ProviderClient(base_url="http://provider.test/api", token="sk-very-secret",
                          limiter=MemoryRateLimiter(key=f"t-{id(handler)}", limit=1000, window=1),
                          transport=httpx.MockTransport(handler), sleep=lambda s: None, **kwargs)


def test_5xx_answers_are_retried_with_backoff_then_succeed():
    answers = iter([httpx.Response(503), httpx.Response(502), httpx.Response(200, json={"items": []})])
    client = _client(lambda request: next(answers))

    assert client.get("/customers") == {"items": []}
    assert client.requests_sent == 3
    assert len(client.slept) == 2


def test_network_errors_end_as_a_temporary_connector_error():
    def refuse(request):
        raise httpx.ConnectError("refused")

    client = _client(refuse, max_retries=2)
    with pytest.raises(ConnectorError) as info:
        client.get("/customers")
    assert info.value.permanent is False
    assert client.requests_sent == 3


def test_retry_after_is_honoured_before_the_default_backoff():
    answers = iter([httpx.Response(429, text="Rate limit exceeded. Please retry in 3 seconds.",
                                   headers={"retry-after": "3"}), httpx.Response(200, json={})])
    client = _client(lambda request: next(answers))
    client.get("/customers")
    assert 3 <= client.slept[0] < 3.1


def test_ratelimit_reset_is_used_when_retry_after_is_absent():
    now = 1_800_000_000.0
    answers = iter([httpx.Response(429, text="slow down", headers={"ratelimit-reset": str(int(now) + 4)}),
                    httpx.Response(200, json={})])
    client = _client(lambda request: next(answers), clock=lambda: now)
    client.get("/customers")
    assert 4 <= client.slept[0] < 4.1


@pytest.mark.parametrize("body, expected", [
    ({"error": "Access token is missing or invalid", "status": 401}, ("", "Access token is missing or invalid")),
    ({"error": "unprocessable_entity", "message": "start_date too old", "details": {"start_date": ["x"]}},
     ("unprocessable_entity", "start_date too old")),
])
def test_both_pennylane_error_shapes_are_parsed(body, expected):
    code, message, _details = parse_error_body(httpx.Response(422, json=body))
    assert (code, message) == expected


def test_a_401_is_permanent_and_never_shows_the_token(caplog):
    client = _client(lambda request: httpx.Response(401, json={"error": "invalid token", "status": 401}))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ProviderError) as info:
        client.get("/me")
    assert info.value.permanent is True and info.value.status == 401
    assert "sk-very-secret" not in str(info.value)
    assert "sk-very-secret" not in caplog.text


def test_the_bearer_token_is_sent_in_the_authorization_header():
    seen = {}

    def handler(request):
        seen["auth"] = request.headers["authorization"]
        return httpx.Response(200, json={})

    _client(handler).get("/me")
    assert seen["auth"] == "Bearer sk-very-secret"
