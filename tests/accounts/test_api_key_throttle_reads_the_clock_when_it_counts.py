"""DRF's throttle keeps `timer = time.time` as a class attribute, bound when DRF is first imported. Imported while a
test froze time (freezegun), that attribute is freezegun's plain function, which Python then calls as a method
(`fake_time(self)`): every API request with a key answered 500 for the rest of the run. Our throttle reads the clock
when it counts, whatever DRF bound."""

import time

from rest_framework import throttling

from accounts.api_auth import ApiKeyRateThrottle


def test_the_throttle_reads_the_clock_whatever_drf_bound_at_import(monkeypatch):
    def a_plain_function_like_freezeguns():  # no `self`: what DRF holds when imported under freeze_time
        return 0.0

    monkeypatch.setattr(throttling.SimpleRateThrottle, "timer", a_plain_function_like_freezeguns)
    before = time.time()
    assert before <= ApiKeyRateThrottle().timer() <= time.time()
