"""The fixed cast every test can name.

acme and globex are two client companies; alice is Acme's CFO, bob Acme's COO; carol is a
consultant of the firm `capfirm`, engaged on Acme only; mallory is Globex's CEO, the outsider
in every isolation test.
"""

import freezegun
import pytest
from django.urls import reverse

from accounts.capabilities import Role
from tests.factories import make_consultancy, make_engagement, make_member, make_org


@pytest.fixture
def acme(db):
    return make_org(name="Acme", slug="acme")


@pytest.fixture
def globex(db):
    return make_org(name="Globex", slug="globex")


@pytest.fixture
def capfirm(db):
    return make_consultancy(name="Cap Firm", slug="capfirm")


@pytest.fixture
def alice(acme):
    return make_member(acme, role=Role.CFO, email="alice@acme.test")


@pytest.fixture
def bob(acme):
    return make_member(acme, role=Role.COO, email="bob@acme.test")


@pytest.fixture
def acme_ceo(acme):
    return make_member(acme, role=Role.CEO, email="ceo@acme.test")


@pytest.fixture
def carol(capfirm, acme):
    """Carol's membership in Acme, granted by her firm's engagement."""
    firm_membership = make_member(capfirm, role=Role.COO, email="carol@capfirm.test")
    engagement = make_engagement(client=acme, consultant=firm_membership, role=Role.COO)
    return engagement.membership


@pytest.fixture
def mallory(globex):
    return make_member(globex, role=Role.CEO, email="mallory@globex.test")


# freezegun (fixtures that set "today") must not freeze pytest's own clock: it made `--durations` report
# 1.8e9-second setups, hiding where the time really goes.
freezegun.configure(extend_ignore_list=["_pytest.timing"])


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args, kwargs=kwargs or None)


# --- CI guarantees -------------------------------------------------------------------------
# CI sets PILOTAGE_REQUIRE_SERVICES=1 (the run must be on PostgreSQL and Redis for real) and
# PILOTAGE_FAIL_ON_SKIP=1 (a skipped test is a failure: a missing service must fail loudly).

import os  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _services_are_real(django_db_setup, django_db_blocker):
    if os.environ.get("PILOTAGE_REQUIRE_SERVICES") != "1":
        return
    import redis
    from django.conf import settings
    from django.db import connection

    with django_db_blocker.unblock():
        assert connection.vendor == "postgresql", f"CI must run on PostgreSQL, not {connection.vendor}"
    assert settings.REDIS_URL, "CI must run with REDIS_URL set"
    assert redis.Redis.from_url(settings.REDIS_URL).ping(), "Redis does not answer"


@pytest.fixture(autouse=True)
def _default_language():
    """A request in French leaves French active in the thread; each test starts in the default language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (Redis in CI), so debounce keys and rate limits don't leak."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("PILOTAGE_FAIL_ON_SKIP") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped in CI, which counts as a failure: {report.longrepr}"


def pytest_collection_modifyitems(config, items):
    """`services` tests need PostgreSQL and Redis. Without them (a newcomer's `make test` on SQLite)
    they are left out and counted; CI sets PILOTAGE_REQUIRE_SERVICES=1 and runs every one of them."""
    if os.environ.get("PILOTAGE_REQUIRE_SERVICES") == "1":
        return
    if os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL"):
        return
    kept, left_out = [], []
    for item in items:
        (left_out if item.get_closest_marker("services") else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
        config._services_left_out = len(left_out)


def pytest_sessionfinish(session):
    """Under pytest-xdist each worker collects; it hands the count it left out to the controller's summary."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["services_left_out"] = getattr(session.config, "_services_left_out", 0)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    left_out = getattr(node, "workeroutput", {}).get("services_left_out", 0)
    node.config._services_left_out = max(getattr(node.config, "_services_left_out", 0), left_out)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    count = getattr(config, "_services_left_out", 0)
    if count:
        terminalreporter.write_line(
            f"{count} tests that need PostgreSQL and Redis were left out: set DATABASE_URL=postgres://… and "
            "REDIS_URL=redis://… to run them (CI always does)."
        )
