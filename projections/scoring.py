"""The reputation arithmetic of docs/domain.md, kept apart from storage so that it can be
read against the formulas: forgetting, the Beta score and the Wilson lower bound."""

from __future__ import annotations

import math

WILSON_Z = 1.96
MICROSECONDS_PER_DAY = 86_400 * 1_000_000
# 2**1000 is near float's limit: weights beyond it are treated as that large, which only
# matters for absurd half-lives or clocks, and keeps the arithmetic from overflowing.
MAX_EXPONENT = 1000.0


def decay_factor(elapsed_us: int | float, half_life_days: float) -> float:
    """2^(-elapsed / half_life): what one unit of weight is worth `elapsed_us` later."""
    exponent = -elapsed_us / (half_life_days * MICROSECONDS_PER_DAY)
    return 2.0 ** max(-MAX_EXPONENT * 2, min(MAX_EXPONENT, exponent))


def beta_score(good: float, bad: float) -> float:
    """(r + 1) / (r + s + 2): the Beta reputation system (Jøsang & Ismail 2002)."""
    return (good + 1.0) / (good + bad + 2.0)


def wilson_lower_bound(good: float, bad: float, z: float = WILSON_Z) -> float:
    """Lower bound of the Wilson score interval of good / (good + bad); 0 without data."""
    n = good + bad
    if good <= 0.0 or n <= 0.0:
        return 0.0  # exactly 0, not the rounding residue of the formula
    p = good / n
    z2 = z * z
    centre = p + z2 / (2.0 * n)
    margin = z * math.sqrt(max(0.0, p * (1.0 - p) / n + z2 / (4.0 * n * n)))
    return max(0.0, (centre - margin) / (1.0 + z2 / n))
