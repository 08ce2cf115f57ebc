"""`make demo`: Maison Lumen's Logistique team dashboard is sent weekly to the logistics team."""

from datetime import date

from accounts.capabilities import Role
from accounts.demo import DemoContext, seed_people
from dashboards import demo as dashboards_demo
from reports import demo
from reports.models import ReportSchedule
from reports.selectors import recipients_of


def test_the_logistique_dashboard_goes_weekly_to_the_logistics_team(db):
    ctx = DemoContext(today=date(2026, 11, 23), seed=42, log=lambda line: None)
    seed_people(ctx)
    dashboards_demo.seed(ctx)
    demo.seed_team_digests(ctx)
    lumen = ctx.companies["lumen"]
    schedule = ReportSchedule.objects.for_org(lumen).get(kind=ReportSchedule.Kind.TEAM)
    assert (schedule.dashboard.name, schedule.frequency, schedule.day) == ("Logistique", "weekly", 1)
    assert {m.role for m in recipients_of(schedule)} == {Role.COO, Role.CXO, Role.VIEWER}
