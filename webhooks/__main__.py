"""`python -m webhooks`: the dispatcher alone, on INTRODUCTIONS_DATABASE_URL, until
SIGTERM or SIGINT. (The worker command and `serve` start WebhookDispatcher themselves.)"""

from __future__ import annotations

import logging
import signal
import threading

from domain.storage import storage_from_environment
from webhooks.dispatcher import WebhookDispatcher


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    dispatcher = WebhookDispatcher(storage_from_environment())
    dispatcher.start()
    print("webhook dispatcher started", flush=True)  # the tests wait for this line
    stop.wait()
    dispatcher.stop()


if __name__ == "__main__":
    main()
