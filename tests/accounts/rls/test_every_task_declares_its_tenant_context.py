"""Every Celery task of the project declares how it gets its organization's context (`tenant_task`) or
that it visits every tenant one at a time (`visits_every_tenant`): as the app role, a task with neither
would see no tenant row at all. A new task fails here until it says which."""

from config.celery import app

PROJECT_APPS = ("accounts.", "integrations.", "kpis.", "objectives.")


def test_every_project_task_declares_its_tenant_context():
    app.loader.import_default_modules()
    tasks = {name: task for name, task in app.tasks.items() if name.startswith(PROJECT_APPS)}
    assert tasks
    undeclared = sorted(name for name, task in tasks.items() if not getattr(task.run, "tenant_context", None))
    assert undeclared == [], ("Decorate these tasks with accounts.rls.tenant_task(arg=…) or "
                              "visits_every_tenant: " + ", ".join(undeclared))
