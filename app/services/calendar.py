"""Scheduled interviews as an iCalendar (.ics) file that calendar apps import.

Written with vObject's iCalendar support. Times carry their IANA time zone (TZID=Europe/Berlin
with its VTIMEZONE), so a calendar in another zone shows the right hour.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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


def interviews_ics(rows: list[InterviewRow], now: dt.datetime | None = None) -> str:
    """One VEVENT per interview that has a date and time; the others are left out."""
    import vobject  # 17 ms to import: when a calendar file is written, not at start-up

    cal = vobject.iCalendar()
    cal.add("prodid").value = "-//Second Act//Interview prep//EN"
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(vobject.icalendar.utc)
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
