"""Create the role the application connects as (PostgreSQL), with least privilege.

    DATABASE_URL=$DATABASE_MIGRATION_URL uv run python manage.py db_app_role --url "$APP_DATABASE_URL"
    DATABASE_URL=$DATABASE_MIGRATION_URL uv run python manage.py db_app_role --name pilotage_app --password …

Run it as the owner of the tables, after `migrate` (`make serve` does both when DATABASE_MIGRATION_URL
is set); run it again at will: it only brings the role back to least privilege and renews the grants.
"""

from urllib.parse import unquote, urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.rls import app_role_create, applies


class Command(BaseCommand):
    help = "Create the PostgreSQL role the app connects as: no superuser, no BYPASSRLS, owns nothing."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="the app's DATABASE_URL: its user and password name the role")
        parser.add_argument("--name", default="pilotage_app")
        parser.add_argument("--password")

    def handle(self, *args, url: str | None, name: str, password: str | None, **options):
        if not applies(connection):
            raise CommandError("Row-level security needs PostgreSQL: set DATABASE_URL to the owner's URL.")
        if url:
            parts = urlsplit(url)
            name, password = unquote(parts.username or ""), unquote(parts.password or "")
        if not name or not password:
            raise CommandError("Give --url with a user and a password, or --name and --password.")
        if name == connection.settings_dict["USER"]:
            raise CommandError("The app role must not be the owner: DATABASE_URL here is the owner's URL.")
        app_role_create(name=name, password=password)
        self.stdout.write(f"Role {name} can read and write rows; row-level security applies to it.")
