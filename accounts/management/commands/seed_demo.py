from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, DemoContext, run


class Command(BaseCommand):
    help = "Load the demo (Cap & Route Conseil and its three clients), replacing any previous demo."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=settings.DEMO_SEED)

    def handle(self, *args, seed: int, **options):
        ctx = DemoContext(today=timezone.localdate(), seed=seed, log=self.stdout.write)
        run(ctx)
        self.stdout.write(self.style.SUCCESS("\nDemo ready at http://127.0.0.1:8000 — every password is "
                                             f"{DEMO_PASSWORD}\n"))
        width = max(len(email) for _, email, _ in ctx.logins)
        for org, email, role in ctx.logins:
            self.stdout.write(f"  {email.ljust(width)}  {role:<40} {org}")
