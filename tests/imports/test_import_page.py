"""The COO's round trip on the page: upload, see the bad rows, download them, fix, re-import, confirm."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from integrations.models import Order
from tests.conftest import url

BAD = (b"number;placed_at;amount_excl_tax;channel\r\nA-1;2026-03-01;10;web\r\nA-2;2026-03-02;ten;=cmd|' /C calc'!A0\r\n"
       b"A-3;2026-02-30;12;web\r\n")
FIXED = b"number;placed_at;amount_excl_tax;channel\r\nA-1;2026-03-01;10;web\r\nA-2;2026-03-02;10;shop\r\nA-3;2026-02-28;12;web\r\n"


def _upload(client, content, name="orders.csv"):
    return client.post(url("imports:import_list", org_slug="acme"),
                       {"kind": "orders", "file": SimpleUploadedFile(name, content, content_type="text/csv")})


def test_the_coo_sees_exactly_which_rows_are_wrong_downloads_them_and_reimports(client, bob, acme,
                                                                                 django_capture_on_commit_callbacks):
    client.force_login(bob.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, BAD)
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "2 rows must be fixed: nothing was saved." in html
    assert "not a number" in html and "not a date" in html
    assert Order.objects.for_org(acme).count() == 0

    download = client.get(response["Location"] + "rejected.csv")
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows] == ["number", "A-2", "A-3"]
    assert rows[1][3] == "'=cmd|' /C calc'!A0"  # a spreadsheet will not run it
    assert rows[1][-1].startswith("Amount excl. VAT: not a number")

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, FIXED)
    assert "All 3 rows are valid. Nothing is saved until you confirm." in client.get(response["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"] + "confirm/")
    assert Order.objects.for_org(acme).count() == 3
    listing = client.get(url("imports:import_list", org_slug="acme")).content.decode()
    assert "imported" in listing and "rows to fix" in listing


def test_the_progress_fragment_is_served_to_htmx(client, bob, acme):
    from tests.imports.isolation import _run_id

    client.force_login(bob.user)
    response = client.get(url("imports:import_run_detail", org_slug="acme", run_id=_run_id(acme)), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().startswith('<div id="import-run"')
    assert "HX-Request" in response["Vary"]


def test_a_page_of_import_runs_keeps_its_query_count(client, bob, acme, django_assert_max_num_queries):
    from tests.imports.isolation import _run_id

    client.force_login(bob.user)
    for _ in range(3):
        _run_id(acme)
    client.get(url("imports:import_list", org_slug="acme"))  # the session's first request records it
    with django_assert_max_num_queries(12) as small:
        client.get(url("imports:import_list", org_slug="acme"))
    for _ in range(30):
        _run_id(acme)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url("imports:import_list", org_slug="acme"))


def test_a_viewer_cannot_import(client, acme):
    from accounts.capabilities import Role
    from tests.factories import make_member

    viewer = make_member(acme, role=Role.VIEWER)
    client.force_login(viewer.user)
    assert _upload(client, FIXED).status_code == 403
