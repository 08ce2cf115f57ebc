"""Anyone may annotate a KPI value ("why did it go up?"); the note shows on the page and on the chart."""

from kpis.models import KpiAnnotation
from tests.conftest import url
from tests.factories import make_member


def test_a_viewer_notes_october_and_the_note_is_listed(client, acme, acme_kpis):
    viewer = make_member(acme, role="viewer")
    client.force_login(viewer.user)
    response = client.post(url("kpis:kpi_annotate", org_slug="acme", kpi_slug="revenue"),
                           {"month": "2026-10", "text": "  Black Friday came early  "})
    assert response.status_code == 302
    assert response["Location"].endswith("/o/acme/kpis/revenue/#notes")
    note = KpiAnnotation.objects.for_org(acme).get()
    assert (str(note.period_start), note.text, note.author_id) == ("2026-10-01", "Black Friday came early",
                                                                 viewer.user_id)
    html = client.get(url("kpis:kpi_detail", org_slug="acme", kpi_slug="revenue")).content.decode()
    assert "Black Friday came early" in html
    assert '"annotations": [{"period": "2026-10-01", "text": "Black Friday came early"}]' in html


def test_an_empty_note_is_refused(client, alice, acme_kpis):
    client.force_login(alice.user)
    client.post(url("kpis:kpi_annotate", org_slug="acme", kpi_slug="revenue"), {"month": "2026-10", "text": " "})
    assert not KpiAnnotation.objects.exists()


def test_nobody_annotates_a_kpi_hidden_from_their_role(client, bob, acme_kpis):
    client.force_login(bob.user)
    response = client.post(url("kpis:kpi_annotate", org_slug="acme", kpi_slug="gross_margin"),
                           {"month": "2026-10", "text": "peeking"})
    assert response.status_code == 404
    assert not KpiAnnotation.objects.exists()
