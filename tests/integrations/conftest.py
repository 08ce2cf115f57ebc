"""Fixtures for the integrations tests: a small fake Pennylane book mounted in-process or served on 127.0.0.1."""

from __future__ import annotations

import random
import threading
from datetime import date, timedelta
from decimal import Decimal
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import pytest
from django.utils import timezone

from integrations.fakes.pennylane import PennylaneFake
from integrations.fakes.scenario import Book, _Builder
from integrations.http import mount_transport
from integrations.models import Connection

COMPANY_ID = 7001
TOKEN = "test-company-token"
FAKE_BASE = "http://pennylane.fake"


def make_book(*, company_id: int = COMPANY_ID, name: str = "Test Company SAS", invoices: int = 30,
              seed: int = 1) -> Book:
    """A small, hand-checkable book: 3 customers, 1 supplier, `invoices` customer invoices of 100.00 excl. VAT."""
    today = timezone.localdate()
    book = Book(company_id=company_id, name=name, key="test", today=today)
    bld = _Builder(book, random.Random(seed))
    book.builder, book.revenue_account = bld, "706000"
    customers = [bld.customer(f"Customer {i}", individual=False, at=today - timedelta(days=300)) for i in range(3)]
    supplier = bld.supplier("Supplier One", today - timedelta(days=300))
    for i in range(invoices):
        d = today - timedelta(days=200 - i * 5)
        bld.customer_invoice(customer=customers[i % 3], d=d, excl=Decimal("100.00"), revenue_account="706000",
                             terms=30, pay_delay=10 if i % 2 == 0 else None)
    bld.supplier_invoice(supplier=supplier, d=today - timedelta(days=100), excl=Decimal("50.00"), account="607000")
    return book


@pytest.fixture
def book():
    return make_book()


@pytest.fixture
def fake(book, settings):
    settings.PENNYLANE_RATE_LIMIT = (10_000, 1)
    settings.PENNYLANE_FIRM_RATE_LIMIT = (10_000, 1)
    settings.INTEGRATIONS_REDIS_URL = ""
    settings.INTEGRATIONS_BACKOFF_BASE = 0.01
    settings.INTEGRATIONS_BACKOFF_MAX = 0.05
    world = PennylaneFake(books={book.company_id: book}, tokens={TOKEN: book.company_id},
                          firm_tokens={}, rate_limit=(10_000, 1), firm_rate_limit=(10_000, 1))
    mount_transport(FAKE_BASE, httpx.WSGITransport(app=world))
    settings.PENNYLANE_API_BASE_URL = f"{FAKE_BASE}/api/external/v2"
    settings.PENNYLANE_FIRM_API_BASE_URL = f"{FAKE_BASE}/api/external/firm/v1"
    yield world
    mount_transport(FAKE_BASE, None)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def fake_over_http(fake, settings):
    """The same fake served over real HTTP on 127.0.0.1 (an ephemeral port)."""
    server = make_server("127.0.0.1", 0, fake, server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    settings.PENNYLANE_API_BASE_URL = f"{base}/api/external/v2"
    settings.PENNYLANE_FIRM_API_BASE_URL = f"{base}/api/external/firm/v1"
    yield fake
    server.shutdown()
    server.server_close()


def make_connection(org, *, provider: str = "pennylane", token: str = TOKEN, account_id: str = str(COMPANY_ID),
                    **overrides) -> Connection:
    return Connection.objects.create(organization=org, provider=provider, credentials={"token": token},
                                     provider_account_id=account_id, label="Pennylane", **overrides)


@pytest.fixture
def connection(acme):
    return make_connection(acme)


def today() -> date:
    return timezone.localdate()


@pytest.fixture(params=["in_process", "over_http"])
def any_fake(request, fake):
    """The fake Pennylane mounted in-process, then the same fake served over real HTTP on 127.0.0.1."""
    if request.param == "over_http":
        return request.getfixturevalue("fake_over_http")
    return fake
