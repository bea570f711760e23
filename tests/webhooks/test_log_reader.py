"""The dispatcher's view of the log: asked from another position than where its last
batch ended (another dispatcher moved ahead), it follows from there, without an error."""

from __future__ import annotations

from domain.application import IntroductionsApp
from domain.introduction import ADMIN
from webhooks.follower import SubscriptionLogReader


def test_reading_from_another_position_restarts_the_subscription(app: IntroductionsApp) -> None:
    for name in ("Ann", "Ben", "Cy"):
        app.register_person(ADMIN, name)
    reader = SubscriptionLogReader(app.recorder)
    try:
        first = reader.read(0, 1)
        assert [n.id for n in first] == [1]
        again = reader.read(2, 10)  # not 1: someone else consumed position 2
        assert [n.id for n in again] == [3]
    finally:
        reader.close()
        assert reader.read(3, 10) == []
