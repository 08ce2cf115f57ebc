from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and tenancy"

    def ready(self) -> None:
        from accounts import schema  # noqa: F401  registers the API key scheme with drf-spectacular
        from accounts.rls import policies_apply

        # After every migrate, every tenant table (a new one included) gets its row-level policy.
        post_migrate.connect(policies_apply, sender=self, dispatch_uid="accounts.rls.policies_apply")
