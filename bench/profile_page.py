"""Profile one page's server time in-process (the Django test client, cProfile), against the demo database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilotage uv run python bench/profile_page.py ceo@lumen.demo /o/lumen/
    ... --runs 20 --sort tottime --limit 40

Prints the functions where the time goes, cumulative by default; run it after `manage.py seed_demo`.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import User  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("email")
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--callees", default="", help="a function name: print what it calls instead")
    args = parser.parse_args()
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
        client = Client()
        client.force_login(User.objects.get(email=args.email))
        assert client.get(args.url).status_code == 200  # warm: templates, translations, caches
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.runs):
            client.get(args.url)
        profile.disable()
    stats = pstats.Stats(profile).strip_dirs().sort_stats(args.sort)
    if args.callees:
        stats.print_callees(args.callees)
    else:
        stats.print_stats(args.limit)


if __name__ == "__main__":
    main()
