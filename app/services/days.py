"""A day as a person types it into a day field: "15 Mar 2027", "March 15, 2027", "15/03/2027"."""

from __future__ import annotations

import datetime as dt
import re

from app.vcard.csv_formats import parse_date

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WORDS = {"today": 0, "tomorrow": 1, "yesterday": -1}

_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"([a-z]{3,9})\.?"
_YEAR = r"(\d{4})"
_SEP = r"[\s,./-]+"
# "15 Mar 2027", "15-Mar-2027", "15 March"; "March 15, 2027", "Mar 15".
_DAY_MONTH = re.compile(rf"{_DAY}{_SEP}{_MONTH}(?:{_SEP}{_YEAR})?")
_MONTH_DAY = re.compile(rf"{_MONTH}{_SEP}{_DAY}(?:{_SEP}{_YEAR})?")
_SHORT_YEAR = re.compile(r"^(\d{1,2}([./-])\d{1,2}\2)(\d\d)$")


def _month(word: str) -> int | None:
    """1 to 12 for a month's name or its first three letters or more ("Sept"); else None."""
    for number, name in enumerate(MONTHS, 1):
        if name.startswith(word):
            return number
    return None


def parse_day(text: str, today: dt.date) -> dt.date | None:
    """The day *text* names, or None when it names none (never a guess at another day).

    Month names in English, day before or after ("15 Mar 2027", "March 15, 2027"), a
    missing year meaning *today*'s year; numbers day first ("15/03/2027", "15.03.2027"), as
    the day fields show them, or year first ("2027-03-15"), a two-digit year in this
    century; "today", "tomorrow", "yesterday".
    """
    text = " ".join(text.strip().lower().split())
    if text in WORDS:
        return today + dt.timedelta(days=WORDS[text])
    for pattern, day_at, month_at in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        m = pattern.fullmatch(text)
        if m:
            month = _month(m[month_at])
            if month is None:
                return None
            try:
                return dt.date(int(m[3]) if m[3] else today.year, month, int(m[day_at]))
            except ValueError:
                return None
    # A two-digit year is this century's: parse_date reads "15/03/27" as a birthday, 1927.
    text = _SHORT_YEAR.sub(r"\g<1>20\g<3>", text)
    found = parse_date(text, day_first=True)
    if found is None or (found.year is None and not text.startswith("--")):
        return None  # "1604-03-15" is a birthday's "year unknown", not a day this year
    try:
        return dt.date(found.year or today.year, found.month, found.day)
    except ValueError:  # 29 February without a year, in a year that has none
        return None


_TIME = re.compile(r"(\d{1,2})(?:[:.h]?(\d\d))?\s*(?:([ap])\.?m?\.?)?")


def parse_time(text: str) -> dt.time | None:
    """The time of day *text* names ("14:30", "14.30", "1430", "9", "2:30 pm"), or None."""
    m = _TIME.fullmatch(text.strip().lower())
    if not m:
        return None
    hour, minute = int(m[1]), int(m[2] or 0)
    if m[3]:  # 12-hour: 12 am is midnight, 12 pm noon
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m[3] == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)
