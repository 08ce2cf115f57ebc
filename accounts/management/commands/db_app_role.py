"""Create the role the application connects as (PostgreSQL), with least privilege.

    DATABASE_URL=$DATABASE_MIGRATION_URL uv run python manage.py db_app_role --name pilotage_app --password …

Run it as the owner of the tables, after `migrate`; run it again at will (it only resets the role to
least privilege and renews the grants).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.rls import app_role_create, applies


class Command(BaseCommand):
    help = "Create the PostgreSQL role the app connects as: no superuser, no BYPASSRLS, owns nothing."

    def add_arguments(self, parser):
        parser.add_argument("--name", default="pilotage_app")
        parser.add_argument("--password", required=True)

    def handle(self, *args, name: str, password: str, **options):
        if not applies(connection):
            raise CommandError("Row-level security needs PostgreSQL: set DATABASE_URL to the owner's URL.")
        app_role_create(name=name, password=password)
        self.stdout.write(f"Role {name} can read and write rows; row-level security applies to it.")
