"""Scheduled interviews as an iCalendar (.ics) file that calendar apps import.

Written with vObject's iCalendar support. Times carry their IANA time zone (TZID=Europe/Berlin
with its VTIMEZONE), so a calendar in another zone shows the right hour.

The VTIMEZONE is written here from zoneinfo's own transitions, not by vObject: vObject
guesses each rule's hour by probing local times, and with zoneinfo's reading of the doubled
and the skipped hour it put every change an hour late (Berlin's autumn change at 04:00), so
a reader that trusts the file (Outlook does) showed an event just after it an hour early.
Each change in the years around the file's events is listed as it happened (DTSTART and
RDATE, in the local time before the change), which also holds for zones whose rules moved
(São Paulo's summer time ended in 2019).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.services.files import atomic_write
from app.services.interviews import InterviewRow, zone


class _NamedZone(dt.tzinfo):
    """A zoneinfo zone that tells vObject its IANA name (vObject reads `tzid`; without it,
    it would name the zone by its abbreviation, "CET", which calendar apps may not know)."""

    def __init__(self, name: str) -> None:
        self._zone = zone(name)
        self.tzid = name

    def utcoffset(self, d: dt.datetime | None) -> dt.timedelta | None:
        return self._zone.utcoffset(d)

    def dst(self, d: dt.datetime | None) -> dt.timedelta | None:
        return self._zone.dst(d)

    def tzname(self, d: dt.datetime | None) -> str | None:
        return self._zone.tzname(d)


@dataclass(frozen=True)
class _State:
    offset: dt.timedelta
    daylight: bool
    name: str


def _state(tz: dt.tzinfo, at: dt.datetime) -> _State:
    local = at.astimezone(tz)
    return _State(
        local.utcoffset() or dt.timedelta(0),
        bool(local.dst()),
        local.tzname() or "",
    )


def _changes(tz: dt.tzinfo, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The instants (UTC) in [start, end) where *tz* changes offset, name or summer time."""
    found = []
    day = dt.timedelta(days=1)
    at = start
    while at < end:
        if _state(tz, at) != _state(tz, at + day):
            low, high = at, at + day  # the change is in (low, high]: halve to the second
            while high - low > dt.timedelta(seconds=1):
                mid = low + (high - low) / 2
                if _state(tz, mid) == _state(tz, low):
                    low = mid
                else:
                    high = mid
            found.append(high.replace(microsecond=0))
        at += day
    return found


def _offset_text(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02}{minutes:02}" + (f"{secs:02}" if secs else "")


def _add_vtimezone(cal: Any, name: str, years: set[int]) -> None:
    """VTIMEZONE for *name* over the years before, of and after *years*: the state on the
    first of January of the first, then every change, grouped by the state it changes to."""
    tz = zone(name)
    start = dt.datetime(min(years) - 1, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(max(years) + 2, 1, 1, tzinfo=dt.UTC)
    observances: dict[tuple[_State, dt.timedelta], list[dt.datetime]] = {}
    first = _state(tz, start)
    observances[(first, first.offset)] = [start.replace(tzinfo=None) + first.offset]
    for at in _changes(tz, start, end):
        before, after = _state(tz, at - dt.timedelta(seconds=1)), _state(tz, at)
        onset = at.replace(tzinfo=None) + before.offset  # local time before the change
        observances.setdefault((after, before.offset), []).append(onset)
    vtz = cal.add("vtimezone")
    vtz.add("tzid").value = name
    for (state, offset_from), onsets in observances.items():
        part = vtz.add("daylight" if state.daylight else "standard")
        part.add("dtstart").value = onsets[0]
        for onset in onsets[1:]:
            part.add("rdate").value = f"{onset:%Y%m%dT%H%M%S}"
        if state.name:
            part.add("tzname").value = state.name
        part.add("tzoffsetfrom").value = _offset_text(offset_from)
        part.add("tzoffsetto").value = _offset_text(state.offset)


def interviews_ics(rows: list[InterviewRow], now: dt.datetime | None = None) -> str:
    """One VEVENT per interview that has a date and time; the others are left out."""
    import vobject  # 17 ms to import: when a calendar file is written, not at start-up

    cal = vobject.iCalendar()
    cal.add("prodid").value = "-//Second Act//Interview prep//EN"
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(vobject.icalendar.utc)
    years: dict[str, set[int]] = {}
    for r in rows:
        if r.starts_at is not None and r.tz:
            years.setdefault(r.tz, set()).add(r.starts_at.year)
    for name, event_years in sorted(years.items()):
        _add_vtimezone(cal, name, event_years)
    for r in rows:
        if r.starts_at is None:
            continue
        tz = _NamedZone(r.tz) if r.tz else None
        start = r.starts_at.replace(tzinfo=tz) if tz else r.starts_at
        ev = cal.add("vevent")
        ev.add("uid").value = f"interview-{r.id}@second-act.local"
        ev.add("dtstamp").value = stamp
        ev.add("dtstart").value = start
        ev.add("dtend").value = start + dt.timedelta(minutes=r.length_minutes)
        ev.add("summary").value = f"Informational interview: {r.who}"
        if r.place:
            ev.add("location").value = r.place
        lines = [f"{r.length_minutes} minutes agreed: keep to the time."]
        if r.employer:
            lines.append(f"Employer: {r.employer}")
        ev.add("description").value = "\n".join(lines)
    text: str = cal.serialize()
    return text


def write_ics(rows: list[InterviewRow], path: Path) -> int:
    """Write the file (whole or not at all); returns how many interviews it holds."""
    atomic_write(path, interviews_ics(rows))
    return sum(1 for r in rows if r.starts_at is not None)
