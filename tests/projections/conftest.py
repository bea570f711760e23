from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.application import IntroductionsApp
from projections.read_models import ReadModels
from storage.bootstrap import open_application
from storage.database import Storage
from tests.conftest import FakeClock


@pytest.fixture
def app(storage: Storage, clock: FakeClock) -> Iterator[IntroductionsApp]:
    application = open_application(storage, clock=clock)
    yield application
    application.close()


@pytest.fixture
def read_models(storage: Storage, clock: FakeClock) -> Iterator[ReadModels]:
    models = ReadModels(storage, clock=clock, half_life_days=180)
    yield models
    models.close()
