from objectives.models import KeyResult
from tests.objectives.helpers import make_key_result, make_kpi, make_objective


def test_a_company_with_key_results_on_its_kpis_can_be_deleted(acme, alice):
    make_key_result(make_objective(acme, owner=alice), kpi=make_kpi(acme))
    acme.delete()


def test_removing_a_kpi_keeps_its_key_results_without_data(acme, alice):
    kpi = make_kpi(acme)
    kr = make_key_result(make_objective(acme, owner=alice), kpi=kpi)
    kpi.delete()
    assert KeyResult.objects.for_org(acme).get(pk=kr.pk).kpi is None
