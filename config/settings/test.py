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
