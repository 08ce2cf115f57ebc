"""The tenancy safety net: cheap static checks that keep every query going through the organization."""

import re
from pathlib import Path

from django.apps import apps
from django.db import models

from accounts.models import OrgOwned

ROOT = Path(__file__).resolve().parent.parent
# Every app of ours: a new app is covered the day it is added to INSTALLED_APPS.
PROJECT_APPS = ["accounts", "integrations", "imports", "kpis", "budgets", "objectives", "alerts", "reports", "portfolio", "dashboards"]
REQUEST_FACING = ("views.py", "api.py", "tasks.py")
UNSCOPED = re.compile(r"\.objects\.(all|get)\(|get_object_or_404\(\s*[A-Z]\w*\s*,")
# A deliberate exception carries `# scoped: <why>` on the same line.
EXEMPT = re.compile(r"#\s*scoped:")


def _request_facing_files():
    for app in PROJECT_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path.name in REQUEST_FACING or path.parent.name in ("views", "api"):
                yield path


def test_request_facing_code_has_no_unscoped_queries():
    offenders = []
    for path in _request_facing_files():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if UNSCOPED.search(line) and not EXEMPT.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "Scope these through .for_org(org) (or justify with '# scoped: why'):\n" + "\n".join(
        offenders
    )


def _project_models():
    return [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


def test_every_model_with_an_organization_inherits_org_owned():
    offenders = [
        m._meta.label
        for m in _project_models()
        if any(f.name == "organization" for f in m._meta.get_fields()) and not issubclass(m, OrgOwned)
    ]
    assert offenders == []


def test_unique_constraints_and_indexes_of_tenant_tables_start_with_organization():
    offenders = []
    for model in _project_models():
        if not issubclass(model, OrgOwned):
            continue
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields[0] != "organization":
                offenders.append(f"{model._meta.label}: {constraint.name}")
        for field in model._meta.local_fields:
            # Secrets looked up before the organization is known (an invitation link, an API key's prefix).
            if field.name == "token" or f"{model._meta.label}.{field.name}" == "accounts.ApiKey.prefix":
                continue
            if field.unique and not field.primary_key and not field.one_to_one:
                offenders.append(f"{model._meta.label}.{field.name} is unique across tenants")
    assert offenders == []
