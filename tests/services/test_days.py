"""parse_day: a day as a person types it, and nothing it could only guess at."""

from __future__ import annotations

import datetime as dt

import pytest

from app.services.days import parse_day, parse_time

TODAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize(
    "text",
    [
        "15 Mar 2027",
        "15 March 2027",
        "March 15, 2027",
        "Mar 15 2027",
        "15/03/2027",
        "15.03.2027",
        "15-03-2027",
        "2027-03-15",
        "15th March 2027",
        "15-Mar-2027",
        "  15  mar  2027 ",
        "15 MAR 2027",
        "15/3/27",
    ],
)
def test_the_ways_people_write_a_day(text: str) -> None:
    assert parse_day(text, TODAY) == dt.date(2027, 3, 15)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("15 Mar", dt.date(2026, 3, 15)),
        ("March 15", dt.date(2026, 3, 15)),
        ("1 Sept", dt.date(2026, 9, 1)),
        ("today", TODAY),
        ("Tomorrow", dt.date(2026, 12, 4)),
        ("yesterday", dt.date(2026, 12, 2)),
    ],
)
def test_this_year_and_words(text: str, day: dt.date) -> None:
    assert parse_day(text, TODAY) == day


@pytest.mark.parametrize(
    "text",
    [
        "",
        "15",
        "15 M",
        "15 Mar 20",
        "31 Feb 2027",
        "03/15/2027",  # month first: the fields read day first, so month 15 is no month
        "32/01/2027",
        "15 Foo 2027",
        "Mar 2027",
        "next week",
        "29 Feb",  # this year (2026) has none
        "1604-03-15",
        "2027-13-01",
    ],
)
def test_what_names_no_day_is_not_guessed(text: str) -> None:
    assert parse_day(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "hour", "minute"),
    [
        ("14:30", 14, 30),
        ("14.30", 14, 30),
        ("1430", 14, 30),
        ("9", 9, 0),
        ("9h15", 9, 15),
        ("2:30 pm", 14, 30),
        ("2:30 p.m.", 14, 30),
        ("12 am", 0, 0),
        ("12pm", 12, 0),
    ],
)
def test_a_time_reads_as_written(text: str, hour: int, minute: int) -> None:
    assert parse_time(text) == dt.time(hour, minute)


@pytest.mark.parametrize("text", ["", "25:00", "14:60", "13 pm", "0 am", "half two", "9m", "1:3"])
def test_a_time_that_names_none_is_none(text: str) -> None:
    assert parse_time(text) is None
