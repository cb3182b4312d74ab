"""A topic's papers per week as a small bar plot, drawn on the server as inline SVG (no script library).

This module only measures: ``weekly_plot`` turns counts into bars with their coordinates, and the template
(``topics.html.j2``) writes the SVG, so that every text in it is escaped like any other. The bars are filled
with ``currentColor``, so the plot takes the text's colour in light and dark mode alike; the numbers are in the
plot's ``<title>`` and in each bar's, for screen readers and for a pointer hovering over a bar.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

WEEKS = 26
WIDTH, HEIGHT = 260, 40  # the SVG's own units; CSS scales it to the column
GAP = 1.0
LOW = 1.5  # a week with papers is never drawn flatter than this, so that it shows beside an empty one


@dataclass(frozen=True, slots=True)
class Bar:
    week: date
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def label(self) -> str:
        papers = "paper" if self.count == 1 else "papers"
        return f"week of {self.week.isoformat()}: {self.count} {papers}"


@dataclass(frozen=True, slots=True)
class Plot:
    """The bars, oldest first, and what they say in words."""

    bars: tuple[Bar, ...]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)

    @property
    def peak(self) -> int:
        return max((bar.count for bar in self.bars), default=0)

    @property
    def label(self) -> str:
        first, last = self.bars[0].week, self.bars[-1].week
        counts = ", ".join(str(bar.count) for bar in self.bars)
        return (
            f"Papers matched per week, {len(self.bars)} weeks from {first.isoformat()} to {last.isoformat()}: "
            f"{self.total} in all, at most {self.peak} in a week. Week by week: {counts}."
        )


def monday(day: date) -> date:
    """The Monday starting ``day``'s week."""
    return day - timedelta(days=day.weekday())


def first_week(today: date, weeks: int = WEEKS) -> date:
    """The Monday of the oldest week a plot ending with ``today``'s week shows."""
    return monday(today) - timedelta(weeks=weeks - 1)


def weekly_plot(counts: Mapping[date, int], today: date, weeks: int = WEEKS) -> Plot:
    """The bars of the ``weeks`` weeks up to ``today``'s, each as high as its count against the busiest."""
    start = first_week(today, weeks)
    days = [start + timedelta(weeks=number) for number in range(weeks)]
    peak = max((counts.get(day, 0) for day in days), default=0)
    step = WIDTH / weeks
    bars = []
    for number, day in enumerate(days):
        count = counts.get(day, 0)
        height = 0.0 if count == 0 or peak == 0 else max(LOW, HEIGHT * count / peak)
        bars.append(Bar(day, count, round(number * step, 2), round(HEIGHT - height, 2), step - GAP, round(height, 2)))
    return Plot(tuple(bars))
