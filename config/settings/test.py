import os
from urllib.parse import urlsplit, urlunsplit

# Under pytest-xdist (`make test` runs two workers), worker gwN uses REDIS_URL's database + N, so one worker's
# cache flushes, Celery queues, rate budgets and locks never reach the other's (pytest-django gives each its
# own PostgreSQL database already). The marker keeps a worker's subprocesses (real Celery workers) from
# shifting it twice.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if (_xdist_worker.startswith("gw") and os.environ.get("REDIS_URL")
        and os.environ.get("PILOTAGE_REDIS_SHIFTED_FOR") != _xdist_worker):
    _redis = urlsplit(os.environ["REDIS_URL"])
    _db = int(_redis.path.strip("/") or 0) + int(_xdist_worker[2:])
    assert _db < 16, f"REDIS_URL's database + {_xdist_worker[2:]} must stay below 16 (Redis' default count)"
    os.environ["REDIS_URL"] = urlunsplit(_redis._replace(path=f"/{_db}"))
    os.environ["PILOTAGE_REDIS_SHIFTED_FOR"] = _xdist_worker

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing: tests log in often
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
ACCOUNT_RATE_LIMITS = False  # axes is the lockout under test; allauth's limiter would mask it
# Tests run tasks in-process unless a test starts a real worker on purpose.
CELERY_TASK_ALWAYS_EAGER = True
LANGUAGE_CODE = "en"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="pilotage-test-media-"))  # logos and PDFs written by tests
KEPT_SQL_CHECK = True  # config.kept_sql: every kept query is built again and must compile to the same SQL
