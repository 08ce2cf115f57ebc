from config.settings.base import *  # noqa: F403
from config.env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)

# `make demo` has no broker: run "Sync now" in a background thread so the admin watches it progress.
INTEGRATIONS_SYNC_IN_THREAD = env_bool("INTEGRATIONS_SYNC_IN_THREAD", True)
