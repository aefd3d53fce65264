"""Canonical forms used to recognise the same email, phone or profile written two ways."""

from __future__ import annotations

import locale
import re
from functools import lru_cache

import phonenumbers


@lru_cache(maxsize=1)
def default_region() -> str | None:
    """The user's country, used for phone numbers written without +country code."""
    try:
        name = locale.getlocale()[0] or ""
    except ValueError:
        name = ""
    m = re.match(r"[a-z]{2,3}_([A-Z]{2})", name)
    return m[1] if m else None


def phone_key(value: str, region: str | None = None) -> str:
    """E.164 (+14155550100) when the number can be understood, else its digits; "" if none."""
    return _phone_key(value, region or default_region())


@lru_cache(maxsize=65536)  # an import asks for the same number several times
def _phone_key(value: str, region: str | None) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) < 5:
        return ""
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return digits
    if phonenumbers.is_possible_number(parsed):
        return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
    return digits


def email_key(value: str) -> str:
    return value.strip().casefold()


def url_key(value: str) -> str:
    """A profile URL without scheme, www., query or trailing slash, in lower case."""
    v = value.strip().casefold()
    v = re.sub(r"^[a-z][a-z0-9+.-]*://", "", v)
    v = re.sub(r"^www\.", "", v)
    v = v.split("?", 1)[0].split("#", 1)[0]
    return v.rstrip("/")


def is_linkedin(value: str) -> bool:
    return "linkedin.com/" in url_key(value)


def text_key(text: str) -> str:
    """Text compared as a person reads it: case and runs of white space do not matter."""
    return " ".join(text.casefold().split())


def sort_key(text: str) -> str:
    return text.strip().casefold()
