"""Each organization's KPI catalogue and visibility are kept between pages (kpis.selectors._catalogue) and read
again as soon as a KPI or a metric changes, however it changed: a save, or a bulk write that sends no signal, as
another process or the catalogue's pack change makes. A warm read is one query; what it hands out is the page's
own."""

from django.utils import timezone
from freezegun import freeze_time

from accounts.capabilities import Role
from kpis.models import Kpi, Metric
from kpis.selectors import kpi_catalogue_for, kpi_visibility_for
from tests.factories import make_member
from tests.kpis.ui.kpi_data import make_kpi, make_metric


def _slugs(org, member):
    return {k.slug for k in kpi_catalogue_for(org, membership=member)}


def test_a_kpi_switched_off_by_a_bulk_write_leaves_the_catalogue_on_the_next_read(acme, alice):
    make_metric(acme, slug="sales")
    make_kpi(acme, slug="revenue", formula="sales")
    make_kpi(acme, slug="orders")
    assert _slugs(acme, alice) == {"revenue", "orders"}
    # No signal: what catalogue_packs_change does (it sets updated_at), or any other process.
    Kpi.objects.for_org(acme).filter(slug="orders").update(is_active=False, updated_at=timezone.now())
    assert _slugs(acme, alice) == {"revenue"}


def test_a_metric_made_a_cost_hides_the_kpis_reading_it_at_once(acme, alice):
    viewer = make_member(acme, role=Role.VIEWER)
    make_metric(acme, slug="purchases")
    make_kpi(acme, slug="spend", formula="purchases")
    assert "spend" in _slugs(acme, viewer)
    # A bulk write on the metric alone: no KPI row changes, no signal is sent.
    Metric.objects.for_org(acme).filter(slug="purchases").update(visibility_capability="kpis.view_costs")
    assert "spend" not in _slugs(acme, viewer)
    assert "spend" in _slugs(acme, alice)  # the CFO sees costs
    assert not kpi_visibility_for(acme).allows(viewer, "spend")


@freeze_time("2026-06-15 12:00:00")  # every updated_at the same: the fingerprint alone would not tell
def test_a_kpi_saved_or_deleted_is_seen_even_within_the_same_instant(acme, alice):
    make_metric(acme, slug="sales")
    kpi = make_kpi(acme, slug="revenue", formula="sales")
    assert _slugs(acme, alice) == {"revenue"}
    kpi.visibility_capability = "kpis.view_costs"
    kpi.save()
    viewer = make_member(acme, role=Role.VIEWER)
    assert _slugs(acme, viewer) == set()
    make_kpi(acme, slug="orders")
    assert _slugs(acme, viewer) == {"orders"}
    Kpi.objects.for_org(acme).get(slug="orders").delete()
    assert _slugs(acme, viewer) == set()


def test_a_warm_read_is_one_query_and_hands_out_the_pages_own_kpis(acme, globex, alice,
                                                                  django_assert_num_queries):
    make_metric(acme, slug="sales")
    make_kpi(acme, slug="revenue", formula="sales", name="Revenue")
    make_metric(globex, slug="sales")
    make_kpi(globex, slug="revenue", formula="sales", name="Globex revenue")
    first = kpi_catalogue_for(acme, membership=alice)
    first[0].name = "Changed by a page"
    with django_assert_num_queries(1):
        again = kpi_catalogue_for(acme, membership=alice)
    assert [k.name for k in again] == ["Revenue"]
    globex_cfo = make_member(globex, role=Role.CFO)
    assert [k.name for k in kpi_catalogue_for(globex, membership=globex_cfo)] == ["Globex revenue"]
