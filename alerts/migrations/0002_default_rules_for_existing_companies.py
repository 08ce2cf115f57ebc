"""Existing companies get the default alert rules that new companies receive with their catalogue."""

from django.db import migrations


def install(apps, schema_editor):
    from alerts.rules.registry import rule_class
    from alerts.services import DEFAULT_RULES

    Organization = apps.get_model("accounts", "Organization")
    AlertRule = apps.get_model("alerts", "AlertRule")
    for org in Organization.objects.exclude(kind="consultancy"):  # scoped: a migration visits every tenant
        have = set(AlertRule.objects.filter(organization=org, is_default=True).values_list("kind", flat=True))
        for kind, parameters in DEFAULT_RULES:
            cls = rule_class(kind)
            if kind in have or not cls.is_available():
                continue
            rule = cls(parameters)
            AlertRule.objects.create(organization=org, kind=kind, name=str(rule.default_name()),
                                     parameters=rule.params, severity=cls.default_severity,
                                     subscriber_roles=[str(r) for r in cls.default_roles], is_default=True)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
