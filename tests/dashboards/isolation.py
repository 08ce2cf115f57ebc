from accounts.capabilities import Role
from tests.dashboards.helpers import _widget_id, make_dashboard

URL_KWARG_FACTORIES = {
    # Shared with every role, so that each role's walk reads it and only composers reach its composer.
    "dashboard_id": lambda org: make_dashboard(org, roles=list(Role.values)).pk,
    "widget_id": _widget_id,
}
