"""Evaluation periods (month, quarter, semester, year) as first and last day, in the portal's
zone (`settings.TIME_ZONE`): the period containing a day, the one before it, the same period a
year before, the last one that has ended, and a label in the reader's language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

# Months per period kind.
MONTHS = {"month": 1, "quarter": 3, "semester": 6, "year": 12}

MONTH_NAMES_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
MONTH_NAMES_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date  # first day
    end: dt.date  # last day, inclusive

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> Period:
        """The period of `kind` that holds `day` (quarters start in January, April, July and
        October; semesters in January and July)."""
        if kind not in MONTHS:
            raise ValueError(f"unknown period kind {kind!r}")
        months = MONTHS[kind]
        first_month = (day.month - 1) // months * months + 1
        start = dt.date(day.year, first_month, 1)
        return cls(kind, start, add_months(start, months) - dt.timedelta(days=1))

    @classmethod
    def last_ended(cls, kind: str, today: dt.date) -> Period:
        """The latest period of `kind` that ended before `today`."""
        return cls.containing(kind, today).previous()

    def previous(self) -> Period:
        return Period.containing(self.kind, self.start - dt.timedelta(days=1))

    def year_before(self) -> Period:
        return Period.containing(self.kind, dt.date(self.start.year - 1, self.start.month, 1))

    def next(self) -> Period:
        return Period.containing(self.kind, self.end + dt.timedelta(days=1))

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware date-times at the portal zone's midnights: what the queries filter on."""
        zone = ZoneInfo(settings.TIME_ZONE)
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return start, end

    def months(self) -> list[dt.date]:
        """The first day of each month of the period (the trends' x axis)."""
        return [add_months(self.start, i) for i in range(MONTHS[self.kind])]

    def label(self, language: str = "id") -> str:
        """'Triwulan III 2026' / 'Q3 2026', 'Semester 1 2026' / 'H1 2026', 'Juli 2026', '2026'."""
        year = self.start.year
        if self.kind == "year":
            return str(year)
        if self.kind == "month":
            names = MONTH_NAMES_EN if language == "en" else MONTH_NAMES_ID
            return f"{names[self.start.month - 1]} {year}"
        number = (self.start.month - 1) // MONTHS[self.kind] + 1
        if self.kind == "quarter":
            return (
                f"Q{number} {year}" if language == "en" else f"Triwulan {['I', 'II', 'III', 'IV'][number - 1]} {year}"
            )
        return f"H{number} {year}" if language == "en" else f"Semester {number} {year}"

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Period:
        return cls(data["kind"], dt.date.fromisoformat(data["start"]), dt.date.fromisoformat(data["end"]))
