"""Canonical forms used to recognise the same email, phone or profile written two ways."""

from __future__ import annotations

import locale
import re
import unicodedata
from functools import lru_cache


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
    region = region or default_region()
    known = _worked_out.get((value, region))
    return known if known is not None else _phone_key(value, region)


# Keys worked out by the processes that read a large file, so that this one does not parse
# the same numbers again: phonenumbers took a fifth of a 50,000-card import.
_worked_out: dict[tuple[str, str | None], str] = {}


def phone_keys_of(values: list[str]) -> dict[tuple[str, str | None], str]:
    """The keys of these numbers, to hand to another process (see learn_phone_keys)."""
    region = default_region()
    return {(v, region): _phone_key(v, region) for v in values}


def learn_phone_keys(keys: dict[tuple[str, str | None], str]) -> None:
    """Take the keys another process worked out (a pure function of number and region)."""
    if len(_worked_out) + len(keys) > 500_000:
        _worked_out.clear()  # a bound: it is only a cache
    _worked_out.update(keys)


@lru_cache(maxsize=65536)  # an import asks for the same number several times
def _phone_key(value: str, region: str | None) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) < 5:
        return ""
    import phonenumbers  # here: 40 ms to import, and the window opens without it

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


def person_key(full_name: str, given_name: str = "", family_name: str = "") -> str:
    """A person's name as two records would agree on it: "José  García" = "jose garcia".

    Given and family name when there are any (so "Dr. Ann Lee" and "Ann Lee" agree), else
    the full name; "" when the record names no person (only an organisation or an email).
    """
    name = " ".join(x.strip() for x in (given_name, family_name) if x.strip()) or full_name
    if name.isascii():
        return text_key(name)
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return text_key(plain)


# Legal forms that do not tell two organisations apart: "Acme Inc." is "ACME". One word of
# the name (between spaces and commas), with or without a final dot.
_LEGAL_FORM = re.compile(
    r"(?:inc|incorporated|ltd|limited|llc|l\.l\.c|llp|plc|gmbh|ag|kg|co|corp|"
    r"corporation|company|s\.?a|s\.?a\.?s|sarl|s\.?r\.?l|s\.?p\.?a|b\.?v|n\.?v|pty|oy|ab|as|"
    r"a/s|kk|k\.k)\.?",
    re.IGNORECASE,
)
_LONGEST_FORM = len("incorporated.")


def org_key(name: str) -> str:
    """An organisation's name without case, accents, punctuation runs or legal suffixes."""
    text = " ".join(name.replace("&", " and ").split())
    end = len(text)
    while True:
        shorter = _without_legal_forms(text, end)
        while shorter and text[shorter - 1] in " ,.":
            shorter -= 1
        if shorter in (end, 0):
            break
        end = shorter
    return person_key(text[:end])


def _without_legal_forms(text: str, end: int) -> int:
    """Where the legal forms that end ``text[:end]`` begin, with the spaces and commas before
    them ("Acme, Inc. Ltd" → 4); *end* when it ends with none. Read backwards a word at a
    time: a regular expression anchored at the end tried every start, and a name of 20,000
    commas took minutes."""
    while True:
        word = end
        while word > 0 and text[word - 1] not in " ," and end - word <= _LONGEST_FORM:
            word -= 1
        start = word
        while start > 0 and text[start - 1] in " ,":
            start -= 1
        if start == word or not _LEGAL_FORM.fullmatch(text, word, end):
            return end
        end = start
