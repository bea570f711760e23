"""Shared by the audit tests: an application whose clock ticks a minute per reading,
so every event of the seed story has its own time."""

from __future__ import annotations

from datetime import datetime

from domain.application import IntroductionsApp
from domain.bootstrap import open_application
from domain.storage import Storage
from tests.conftest import FakeClock


def ticking_app(storage: Storage, clock: FakeClock) -> IntroductionsApp:
    def tick() -> datetime:
        return clock.advance(minutes=1)

    return open_application(storage, clock=tick)
