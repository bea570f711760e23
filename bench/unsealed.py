"""The service before sealing, for the benchmark alone: every application opened inside
`without_sealing()` has no keyring, so personal fields are written plain and no key rows
are written, by the same code path otherwise. The service itself has no setting for
this, so that sealing cannot be switched off by accident in production.

    python -m bench.unsealed serve --port PORT ...

runs `introductions serve` (one process: uvicorn's worker processes would import the
application afresh, with sealing) inside it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from domain.application import IntroductionsApp
from storage import bootstrap


def _unsealed(app: IntroductionsApp) -> IntroductionsApp:
    return app


@contextmanager
def without_sealing() -> Iterator[None]:
    # open_application is the one place a keyring is given (storage/bootstrap.py).
    with mock.patch.object(bootstrap, "with_keyring", _unsealed):
        yield


def main(argv: list[str]) -> None:
    from api.cli import main as cli

    if argv[:1] != ["serve"] or any(a.startswith("--workers") for a in argv):
        raise SystemExit("usage: python -m bench.unsealed serve [serve's options but --workers]")
    sys.argv = ["introductions", *argv]
    with without_sealing():
        cli()


if __name__ == "__main__":
    main(sys.argv[1:])
