from accounts.capabilities import CAPABILITIES, Role, role_can


def test_cfo_sets_financial_targets_and_cro_does_not():
    assert role_can(Role.CFO, "objectives.set_financial")
    assert not role_can(Role.CRO, "objectives.set_financial")


def test_admin_configures_integrations_without_seeing_cost_detail():
    assert role_can(Role.ADMIN, "integrations.manage")
    assert not role_can(Role.ADMIN, "kpis.view_costs")


def test_viewer_only_reads():
    assert all(cap.endswith(".view") for cap in CAPABILITIES[Role.VIEWER])


def test_every_role_has_an_entry_in_the_table():
    assert set(CAPABILITIES) == set(Role.values)


def test_an_unknown_capability_is_a_programming_error_not_a_silent_no():
    import pytest

    with pytest.raises(KeyError):
        role_can(Role.CEO, "objectives.set_finacial")
