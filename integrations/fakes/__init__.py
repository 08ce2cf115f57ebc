"""Fake providers that speak the real APIs (see each module), and the one each process serves."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
_building = threading.RLock()  # re-entrant: one fake's scenario may ask for another's


def process_fake(module_name: str, build: Callable[[], T]) -> T:
    """The one fake a process serves for a provider (the demo, `fake_provider`, the in-process transport),
    built on first use and kept in its module's `_default`, where a test may swap it."""
    module = sys.modules[module_name]
    with _building:
        if module._default is None:
            module._default = build()
        return module._default


def demo_seed() -> int:
    from django.conf import settings

    return getattr(settings, "DEMO_SEED", 42)
