"""The .ics file's VTIMEZONE is right around every change of offset: read back by vObject
and by icalendar *from the file's own VTIMEZONE* (as Outlook does), each interview falls at
the instant zoneinfo puts it, in the hours either side of each change, in zones north and
south, with and without summer time, and one whose rules changed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from app.services.calendar import interviews_ics
from app.services.interviews import InterviewRow

ZONES = {
    "Europe/Berlin": [2021, 2026, 2027],
    "America/New_York": [2006, 2007, 2026],  # 2007: the United States moved its changes
    "Australia/Sydney": [2026, 2027],  # summer time across the new year
    "Asia/Kolkata": [2026],  # none
    "America/Sao_Paulo": [2018, 2019, 2026],  # summer time at midnight, ended in 2019
}
NO_CHANGE = {("Asia/Kolkata", 2026), ("America/Sao_Paulo", 2026)}
PROBES = [dt.timedelta(minutes=m) for m in (-150, -90, -30, 30, 90, 150)]


def changes(tz: ZoneInfo, year: int) -> list[dt.datetime]:
    """When *tz* changes offset in *year* (UTC), found by zoneinfo alone, 15 minutes apart."""
    at = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    step = dt.timedelta(minutes=15)
    found = []
    while at.year == year:
        if at.astimezone(tz).utcoffset() != (at + step).astimezone(tz).utcoffset():
            found.append(at + step)
        at += step
    return found


def unambiguous(local: dt.datetime) -> bool:
    return local.replace(fold=0).utcoffset() == local.replace(fold=1).utcoffset()


def instants() -> list[tuple[str, dt.datetime]]:
    """(zone, instant in UTC) an hour or so either side of every change, and mid-month
    instants in every month for zones without one; only wall times that name one instant."""
    out = []
    for name, years in ZONES.items():
        tz = ZoneInfo(name)
        for year in years:
            found = changes(tz, year)
            assert bool(found) == ((name, year) not in NO_CHANGE), (name, year)
            points = [t + d for t in found for d in PROBES]
            points += [dt.datetime(year, m, 15, 12, tzinfo=dt.UTC) for m in range(1, 13)]
            out += [(name, p) for p in points if unambiguous(p.astimezone(tz).replace(fold=0))]
    return out


def rows(points: list[tuple[str, dt.datetime]]) -> list[InterviewRow]:
    return [
        InterviewRow(
            i,
            1,
            f"Person {i}",
            "planned",
            at.astimezone(ZoneInfo(name)).replace(tzinfo=None),
            name,
            30,
            "",
            "",
            None,
            None,
        )
        for i, (name, at) in enumerate(points)
    ]


@pytest.fixture(scope="module")
def exported() -> tuple[list[tuple[str, dt.datetime]], str]:
    points = instants()
    return points, interviews_ics(rows(points))


def test_vobject_reading_the_files_vtimezone_agrees_with_zoneinfo(
    exported: tuple[list[tuple[str, dt.datetime]], str],
) -> None:
    points, text = exported
    cal = vobject.readOne(text)
    zones = {str(v.tzid.value): v.gettzinfo() for v in cal.vtimezone_list}
    assert set(zones) == set(ZONES)
    wrong = []
    for ev in cal.vevent_list:
        i = int(ev.uid.value.split("-")[1].split("@")[0])
        name, expected = points[i]
        wall = ev.dtstart.value.replace(tzinfo=None)
        got = wall.replace(tzinfo=zones[name]).astimezone(dt.UTC)
        if got != expected:
            wrong.append(f"{name} {wall}: {got} instead of {expected}")
    assert len(cal.vevent_list) == len(points)
    assert wrong == []


def test_icalendar_reading_the_files_vtimezone_agrees_with_zoneinfo(
    exported: tuple[list[tuple[str, dt.datetime]], str],
) -> None:
    points, text = exported
    cal = icalendar.Calendar.from_ical(text)
    zones = {str(v["TZID"]): v.to_tz(lookup_tzid=False) for v in cal.walk("VTIMEZONE")}
    assert set(zones) == set(ZONES)
    wrong = []
    events = cal.walk("VEVENT")
    for ev in events:
        i = int(str(ev["UID"]).split("-")[1].split("@")[0])
        name, expected = points[i]
        assert ev["DTSTART"].params["TZID"] == name
        wall = ev.decoded("DTSTART").replace(tzinfo=None)
        local = zones[name].localize(wall) if hasattr(zones[name], "localize") else None
        got = (local or wall.replace(tzinfo=zones[name])).astimezone(dt.UTC)
        if got != expected:
            wrong.append(f"{name} {wall}: {got} instead of {expected}")
    assert len(events) == len(points)
    assert wrong == []


def test_the_berlin_rules_change_at_three_and_two() -> None:
    text = interviews_ics(rows([("Europe/Berlin", dt.datetime(2026, 7, 1, tzinfo=dt.UTC))]))
    cal = icalendar.Calendar.from_ical(text)
    [vtz] = cal.walk("VTIMEZONE")
    onsets = {
        (c.name, c.decoded("DTSTART").time()) for c in vtz.subcomponents if c.name != "VTIMEZONE"
    }
    assert ("STANDARD", dt.time(3)) in onsets and ("DAYLIGHT", dt.time(2)) in onsets
    assert ("STANDARD", dt.time(4)) not in onsets and ("DAYLIGHT", dt.time(3)) not in onsets
