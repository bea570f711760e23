"""Medians of repeated runs, and the few number formats every table uses."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping


def median_of(runs: int, measure: Callable[[int], Mapping[str, float]]) -> dict[str, float]:
    """Calls `measure(run)` `runs` times and returns the median of each figure."""
    results = [measure(run) for run in range(runs)]
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def rate(value: float) -> str:
    return f"{value:,.0f}"


def ms(value: float) -> str:
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}"


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else float("nan")


def times(value: float) -> str:
    return f"{value:.2f}×"


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def share_cells(value: float, baseline: float, goal: float) -> tuple[str, str]:
    """The cells `value / baseline` and its verdict: met when the share is at least `goal`."""
    share = ratio(value, baseline)
    return times(share), verdict(share >= goal)
