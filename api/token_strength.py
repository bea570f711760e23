"""Whether an operator's token (the admin's, the metrics scraper's) carries at least 32
bytes of real randomness. Its length gives an upper bound (characters times the bits of
the alphabet it is drawn from); zxcvbn finds what lowers it (sequences, repeats, keyboard
walks, words), and a stretch repeated anywhere in the token is refused outright."""

from __future__ import annotations

import math
import string

from zxcvbn import zxcvbn

MIN_BITS = 256  # 32 bytes
HINT = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
# zxcvbn counts a random character as one decimal digit of guesses (log10 = 1 per
# character); random tokens score 0.92 or more, patterned ones far less.
MIN_GUESSES_LOG10_PER_CHARACTER = 0.8
CHUNK = 40  # zxcvbn's time grows quickly with the length; it reads a token in pieces
ANALYSED = 256  # characters; a longer token is judged by its beginning
REPEAT = 8  # a stretch this long seen twice is a repeat, not chance (about 2^-40 per pair)


def alphabet_bits(token: str) -> float:
    """The most a character of this token can carry, judged by the alphabet it looks
    drawn from: hex digits, base64 (both cases), or printable ASCII."""
    chars = set(token)
    if chars <= set(string.digits):
        size = 10
    elif chars <= set(string.hexdigits.lower()) or chars <= set(string.hexdigits.upper()):
        size = 16
    elif chars & set(string.punctuation) - set("-_+/="):
        size = 94
    elif chars & set(string.ascii_lowercase) and chars & set(string.ascii_uppercase):
        size = 64
    else:
        size = 36
    return math.log2(size)


def has_repeat(token: str) -> bool:
    seen: set[str] = set()
    for i in range(len(token) - REPEAT + 1):
        stretch = token[i : i + REPEAT]
        if stretch in seen:
            return True
        seen.add(stretch)
    return False


def guesses_log10_per_character(token: str) -> float:
    pieces = max(1, math.ceil(len(token) / CHUNK))
    size = math.ceil(len(token) / pieces)
    chunks = [token[i : i + size] for i in range(0, len(token), size)]
    return sum(zxcvbn(chunk)["guesses_log10"] for chunk in chunks) / len(token)


def weakness(token: str) -> str | None:
    """Why the token is too weak, or None."""
    if len(token) * alphabet_bits(token) < MIN_BITS:
        return f"too short for {MIN_BITS} random bits"
    analysed = token[:ANALYSED]
    if has_repeat(analysed):
        return f"a stretch of {REPEAT} characters repeats"
    if guesses_log10_per_character(analysed) < MIN_GUESSES_LOG10_PER_CHARACTER:
        return "it follows a pattern (a sequence, a repeat, a keyboard walk or words)"
    return None
