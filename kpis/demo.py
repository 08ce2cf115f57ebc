"""This app's part of the demo story (see accounts/demo.py)."""

from accounts.demo import DemoContext


def seed(ctx: DemoContext) -> None:
    return None
