"""This app's panel on the organization's home page (see accounts/home_panels.py)."""

from accounts.models import Membership


def home_panel(membership: Membership) -> tuple[str, dict] | None:
    return None
