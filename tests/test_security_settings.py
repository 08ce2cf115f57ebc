"""Production settings pass Django's deploy checks, and every response carries the security headers."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.urls import reverse

from tests.conftest import url

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_check_deploy_with_no_warning():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "x" * 20 + "-production-grade-secret-with-enough-entropy-7f3a9c",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "pilotage.example.com",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests of the same run; never in production
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_secrets():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod"}
    for name in ("DJANGO_SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DJANGO_ALLOWED_HOSTS"):
        env.pop(name, None)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_pages_carry_csp_nosniff_and_referrer_policy(client, acme_ceo):
    client.force_login(acme_ceo.user)
    pages = [
        reverse("account_login"),
        url("accounts:org_home", org_slug="acme"),
        url("accounts:member_list", org_slug="acme"),
        url("accounts:audit_log", org_slug="acme"),
        "/api/v1/orgs/acme/members/",
    ]
    for page in pages:
        response = client.get(page)
        csp = response["Content-Security-Policy"]
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"):
            assert directive in csp, (page, csp)
        assert "unsafe-inline" not in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_production_cookies_use_the_host_prefix_and_hsts_lasts_a_year():
    script = ("import config.settings.prod as s; print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, "
              "s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE)")
    env = {**os.environ, "DJANGO_SECRET_KEY": "k" * 60, "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
           "DJANGO_ALLOWED_HOSTS": "pilotage.example.com"}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60).stdout.split()
    assert out == ["__Host-sessionid", "__Host-csrftoken", "31536000", "True"]
