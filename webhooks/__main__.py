"""`python -m webhooks`: the dispatcher alone, on INTRODUCTIONS_DATABASE_URL, until
SIGTERM or SIGINT. (The worker command and `serve` start WebhookDispatcher themselves.)"""

from __future__ import annotations

import logging

from domain.stop_signals import StopSignals
from storage.database import storage_from_environment
from webhooks.dispatcher import WebhookDispatcher


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    stop_signals = StopSignals()
    dispatcher = WebhookDispatcher(storage_from_environment())
    dispatcher.start()
    print("webhook dispatcher started", flush=True)  # the tests wait for this line
    stop_signals.wait()
    dispatcher.stop()


if __name__ == "__main__":
    main()
