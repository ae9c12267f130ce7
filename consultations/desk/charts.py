"""A small horizontal bar chart drawn as inline SVG by the template: the geometry is worked out here, no database.

Each surgeon gets one bar per period (this week, next week): the track is every slot offered, the filled part the
booked share, with the numbers written beside it so that colour is never the only cue.
"""

from dataclasses import dataclass

WIDTH = 700
NAME_WIDTH = 200
PERIOD_X = 205
BAR_X = 280
BAR_WIDTH = 220
BAR_HEIGHT = 16
ROW = 22
GROUP_GAP = 12
TOP = 4


@dataclass(frozen=True)
class Bar:
    period: str
    booked: int
    offered: int
    y: int
    width: float

    @property
    def percent(self) -> int | None:
        return round(100 * self.booked / self.offered) if self.offered else None

    @property
    def text(self) -> str:
        if not self.offered:
            return "no clinic hours"
        return f"{self.booked} of {self.offered} booked ({self.percent}%)"

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 3

    @property
    def text_x(self) -> float:
        return BAR_X + BAR_WIDTH + 8


@dataclass(frozen=True)
class Group:
    name: str
    y: int
    bars: list[Bar]

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 3


@dataclass(frozen=True)
class BarChart:
    groups: list[Group]
    height: int
    width: int = WIDTH
    name_width: int = NAME_WIDTH
    period_x: int = PERIOD_X
    bar_x: int = BAR_X
    bar_width: int = BAR_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def summary(self) -> str:
        """The whole chart in words, for screen readers."""
        return " ".join(
            f"{group.name}: " + "; ".join(f"{bar.period.lower()}, {bar.text}" for bar in group.bars) + "."
            for group in self.groups
        )


def booked_share_chart(rows: list[tuple[str, list[tuple[str, int, int]]]]) -> BarChart:
    """`rows` are (name, [(period, booked, offered), ...]) in the order to draw them."""
    groups = []
    y = TOP
    for name, periods in rows:
        bars = []
        for index, (period, booked, offered) in enumerate(periods):
            share = min(booked / offered, 1) if offered else 0
            bars.append(Bar(period=period, booked=booked, offered=offered, y=y + index * ROW, width=share * BAR_WIDTH))
        groups.append(Group(name=name, y=y, bars=bars))
        y += len(periods) * ROW + GROUP_GAP
    return BarChart(groups=groups, height=max(y - GROUP_GAP + TOP, 0))
