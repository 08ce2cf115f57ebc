"""While the one all-or-nothing transaction writes a confirmed file, the page's progress bar follows it
("Writing 2,000 / 3,500 rows"); with Redis down the import still completes and the page says "importing"."""

import pytest

from imports import selectors, services
from imports.models import ImportRun
from integrations.models import Order
from tests.conftest import url
from tests.imports.helpers import confirm, csv_bytes, upload
from tests.redis_server import redis_down  # noqa: F401  (fixture)


def _orders(n: int) -> bytes:
    return csv_bytes(["number;placed_at;amount_excl_tax", *(f"W-{i};2026-03-{1 + i % 28:02d};{i % 90},10" for i in range(n))])


@pytest.fixture
def page_during_the_write(client, bob, monkeypatch):
    """After each chunk the write publishes, what the progress reader and the page's HTMX poll see."""
    seen = []
    publish = services._write_progress_publish

    def publish_and_look(run, *, written, total):
        publish(run, written=written, total=total)
        shown = ImportRun.objects.get(pk=run.pk)
        response = client.get(url("imports:import_run_detail", org_slug="acme", run_id=run.pk), HTTP_HX_REQUEST="true")
        seen.append((selectors.import_write_progress(shown), response.status_code, response.content.decode()))

    monkeypatch.setattr(services, "_write_progress_publish", publish_and_look)
    client.force_login(bob.user)
    return seen


def test_the_page_shows_the_rows_written_chunk_after_chunk_up_to_the_total(acme, bob, settings,
                                                                          page_during_the_write):
    settings.IMPORTS_WRITE_CHUNK = 1_000

    run = confirm(upload(acme, bob, _orders(3_500)), bob)

    assert run.state == "done"
    progress = [(p.written, p.total) for p, _status, _html in page_during_the_write]
    assert progress == [(0, 3_500), (1_000, 3_500), (2_000, 3_500), (3_000, 3_500), (3_500, 3_500)]
    _p, status, html = page_during_the_write[2]
    assert status == 200
    assert "Writing 2,000 / 3,500 rows" in html
    assert 'value="57"' in html  # the bar: 2,000 of 3,500
    assert selectors.import_write_progress(run) is None  # done: the page says so, not a stale figure


def test_the_progress_is_read_in_french_too(acme, bob, settings, client, page_during_the_write):
    settings.IMPORTS_WRITE_CHUNK = 1_000
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"

    confirm(upload(acme, bob, _orders(1_500)), bob)

    _p, _status, html = page_during_the_write[1]
    assert "Écriture de 1\u00a0000 / 1\u00a0500 lignes" in html


def test_with_redis_down_the_import_completes_and_the_page_says_importing(acme, bob, settings, redis_down,
                                                                          page_during_the_write):
    settings.IMPORTS_WRITE_CHUNK = 1_000
    # The tasks' own steps, in-process: with Redis down the broker is gone too.
    run = services.import_run_create(org=acme, by=bob, kind="orders", file_name="orders.csv", content=_orders(2_500))
    services.import_run_validate(run=run)
    services.import_run_confirm(run=run, by=bob)

    run = services.import_run_execute(run=ImportRun.objects.get(pk=run.pk))

    assert run.state == "done" and Order.objects.for_org(acme).count() == 2_500
    assert len(page_during_the_write) == 4
    for progress, status, html in page_during_the_write:
        assert progress is None and status == 200
        assert "Saving the rows" in html and "Writing" not in html
