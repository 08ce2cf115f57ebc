import logging

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, DemoContext, run


class Command(BaseCommand):
    help = "Load the demo (Cap & Route Conseil and its three clients), replacing any previous demo."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=settings.DEMO_SEED)
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="where the demo will be served")

    def handle(self, *args, seed: int, url: str, **options):
        # The story reads better without a log line per in-process task.
        for name in ("celery", "kpis", "integrations", "objectives"):
            logging.getLogger(name).setLevel(logging.WARNING)
        ctx = DemoContext(today=timezone.localdate(), seed=seed, log=self.stdout.write)
        run(ctx)
        self.stdout.write(self.style.SUCCESS(f"\nDemo ready at {url} — every password is {DEMO_PASSWORD}\n"))
        width = max(len(email) for _, email, _ in ctx.logins)
        for org, email, role in ctx.logins:
            self.stdout.write(f"  {email.ljust(width)}  {role:<40} {org}")
