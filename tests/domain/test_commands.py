"""Every command has a handler, and what an idempotency key remembers of each command
(a digest of its operation and arguments) is what keys already stored remember: a retry
after an upgrade still matches its first use."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain import commands
from domain.application import HANDLERS
from domain.commands import Command
from domain.idempotency import arguments_digest

INTRODUCTION = "3F2B6A1C-0D4E-4F5A-8B6C-7D8E9F0A1B2C"  # as a client may spell an id
PERSON = "{0b3c9f6a-2d4e-5f60-8a1b-2c3d4e5f6a7b}"
CANONICAL_PERSON = "0b3c9f6a-2d4e-5f60-8a1b-2c3d4e5f6a7b"
AT = datetime(2026, 12, 31, 23, 59, tzinfo=UTC)

# Computed from the arguments as the commands were keyed before they were types.
STORED_DIGESTS: list[tuple[Command[object], str]] = [
    (
        commands.RegisterPerson("Ann", "Acme", ("ops",), None),
        "9311ce65bec9a013b11c353c84ce80e50a371ba70de8a7b1ae81d5df922f82e0",
    ),
    (
        commands.IssueToken(PERSON, AT),
        "175de1262a71a11716112cd622e261de1349a0c7a2e8756564a7de2d5b93f1c4",
    ),
    (
        commands.RevokeToken(INTRODUCTION, "lost"),
        "bc2aec0e900a0507b5f6e6fb123fd63496546457d18bb1053b50446a5e928fa4",
    ),
    (
        commands.Propose(PERSON, INTRODUCTION, "ctx"),
        "86f50ce878436b4e34a98a6e504dd835f1395fffe59d0f698a6cd8241871f8d4",
    ),
    (
        commands.Consent(INTRODUCTION),
        "2d7f5a446f2f4c8059571e48747555b01ada0550e6a0dd249466d684a3150eb7",
    ),
    (
        commands.Decline(INTRODUCTION, "not now", expected_version=2),
        "682ddbc03376a07690c6b683ecf19090ecfbffde4f0c16258f2f6a7ec331dc31",
    ),
    (
        commands.RecordReply(INTRODUCTION, "hello"),
        "c8ea4be91518408fffc3f89e6fa8496124df8402b5df0903387d6bd1c0329ff2",
    ),
    (
        commands.RecordRelationshipFormed(INTRODUCTION, "together", expected_version=4),
        "b60dd637fac1cef0cc396bee6a5eb00142778725e7c5a84230bd4764c64eb5f0",
    ),
    (
        # As `handle` keys it: the blamed person's id made canonical first.
        commands.Burn(INTRODUCTION, CANONICAL_PERSON, "OTHER"),
        "dada3e1d5804ed2275fa62839397dcf58b9bac76deedfd0569f5323d0242087a",
    ),
    (
        commands.RegisterWebhook("https://example.com/hooks", ["ConsentGiven"]),
        "71c1f75537984d8d9b4b07139f40083f5f43f66527e68d2ec869fa05e48a54e5",
    ),
    (
        commands.DeactivateWebhook(INTRODUCTION, "maintenance"),
        "2dbf3b95ad2937403a3fa50e555a721a22303de75034405a8690784d1d03c922",
    ),
    (
        commands.ReactivateWebhook(INTRODUCTION),
        "c2ee17e7aa36912710bb02f692c78909c33280adf05817932e070d07fe1c86f2",
    ),
    (
        commands.RotateWebhookSecret(INTRODUCTION),
        "46970ae4f60515ce2945c7bf6a9b4990b7892dd77722090252d731558d9023df",
    ),
]


def concrete_commands() -> set[type]:
    """The commands of domain/commands.py: the classes that name an operation."""
    classes = (v for v in vars(commands).values() if isinstance(v, type))
    return {c for c in classes if issubclass(c, Command) and "operation" in vars(c)}


def test_every_command_has_a_handler() -> None:
    assert concrete_commands() == set(HANDLERS)


@pytest.mark.parametrize(
    ("command", "digest"), STORED_DIGESTS, ids=lambda v: type(v).__name__ if v else ""
)
def test_a_key_remembers_a_command_as_stored_keys_do(command: Command[object], digest: str) -> None:
    assert arguments_digest(command.operation, command.key_arguments()) == digest
