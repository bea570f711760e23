"""The expiry sweeper: expires CONSENTED introductions nobody replied to in time."""

from __future__ import annotations

import logging

from domain.application import IntroductionsApp
from domain.commands import Expire
from domain.errors import DomainError
from domain.introduction import ADMIN
from projections.expiry import ExpiryCandidatesView

log = logging.getLogger(__name__)
BATCH = 500


def sweep(app: IntroductionsApp, candidates: ExpiryCandidatesView) -> list[str]:
    """Expires every introduction the view says is due by the application's clock;
    returns their ids. The view may lag the log: the aggregate re-checks the rules, and
    an introduction that moved on (a reply, a burn, another sweeper) is left alone."""
    expired: list[str] = []
    skipped: set[str] = set()
    while True:
        due = [i for i in candidates.due(app.clock() - app.expire_after, BATCH) if i not in skipped]
        for introduction_id in due:
            try:
                app.handle(ADMIN, Expire(introduction_id))
            except DomainError as e:
                log.debug("not expiring %s: %s", introduction_id, e)
            else:
                expired.append(introduction_id)
            skipped.add(introduction_id)  # the view drops it once it sees the event
        if len(due) < BATCH:
            return expired
