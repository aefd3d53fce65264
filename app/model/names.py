"""Names as people write them: "Richter, James", "Dr. Ana Ruiz", "Lee Chen, PhD"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.model.records import ContactRecord

# Compared without dots and case: "Dr." and "dr" are one prefix.
PREFIXES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "dame",
        "rev",
        "fr",
        "herr",
        "frau",
        "m",
        "mme",
        "mlle",
        "sr",
        "sra",
        "srta",
        "don",
        "doña",
    ]
)
SUFFIXES = frozenset(
    [
        "jr",
        "sr",
        "ii",
        "iii",
        "iv",
        "v",
        "phd",
        "md",
        "dds",
        "esq",
        "mba",
        "cpa",
        "rn",
        "jd",
        "dphil",
    ]
)


def _bare(word: str) -> str:
    return word.replace(".", "").strip().casefold()


@dataclass(frozen=True)
class NameParts:
    prefix: str = ""
    given: str = ""
    middle: str = ""
    family: str = ""
    suffix: str = ""


def split_name(text: str) -> NameParts:
    """The parts of one name as written; "Richter, James" is family name first.

    A comma is read as "family, given" unless what follows it is only suffixes
    ("Lee Chen, PhD"); prefixes and suffixes go to their own parts, not the given name.
    """
    text = " ".join(text.split())
    if not text:
        return NameParts()
    head, comma, tail = text.partition(",")
    suffixes: list[str] = []
    if comma:
        tail_words = [w for w in re.split(r"[\s,]+", tail) if w]
        if tail_words and all(_bare(w) in SUFFIXES for w in tail_words):
            suffixes = tail_words
            words = head.split()
        else:
            # Family name first: "Richter, James" or "van der Berg, Anna Maria, Dr."
            given_part, _, rest = tail.partition(",")
            rest_words = [w for w in re.split(r"[\s,]+", rest) if w]
            words_given = given_part.split()
            prefix = []
            while words_given and _bare(words_given[0]) in PREFIXES and len(words_given) > 1:
                prefix.append(words_given.pop(0))
            for w in rest_words:
                (prefix if _bare(w) in PREFIXES else suffixes).append(w)
            return NameParts(
                " ".join(prefix),
                words_given[0] if words_given else "",
                " ".join(words_given[1:]),
                head.strip(),
                " ".join(suffixes),
            )
    else:
        words = text.split()
    prefix = []
    while len(words) > 1 and _bare(words[0]) in PREFIXES:
        prefix.append(words.pop(0))
    while len(words) > 1 and _bare(words[-1]) in SUFFIXES:
        suffixes.insert(0, words.pop())
    if len(words) == 1:
        return NameParts(" ".join(prefix), words[0], "", "", " ".join(suffixes))
    return NameParts(
        " ".join(prefix), words[0], " ".join(words[1:-1]), words[-1], " ".join(suffixes)
    )


def split_given(text: str) -> tuple[str, str]:
    """A given-name cell's prefix and given name: "Dr. James" is ("Dr.", "James")."""
    words = text.split()
    prefix = []
    while len(words) > 1 and _bare(words[0]) in PREFIXES:
        prefix.append(words.pop(0))
    return " ".join(prefix), " ".join(words)


def split_family(text: str) -> tuple[str, str]:
    """A family-name cell's family name and suffix: "Chen, PhD" or "Chen Jr." split."""
    words = [w for w in re.split(r"[\s,]+", text) if w]
    suffixes: list[str] = []
    while len(words) > 1 and _bare(words[-1]) in SUFFIXES:
        suffixes.insert(0, words.pop())
    if not suffixes:
        return text.strip(), ""
    return " ".join(words), " ".join(suffixes)


_COMPANY = frozenset(
    ["inc", "ltd", "llc", "plc", "gmbh", "ag", "sa", "sarl", "srl", "bv", "nv", "co", "corp"]
)


# Words of letters, with the dots, hyphens and apostrophes of names ("O'Neil", "Dr.").
_NAMELIKE = re.compile(r"[^\W\d_]+(?:[ .'’-]+[^\W\d_]+)*\.?")


def family_first(text: str) -> NameParts | None:
    """The parts of a name written family name first ("Richter, James", "Ruiz, Dr. Ana"); None
    for anything else ("Lee Chen, PhD", "Acme, Inc.", "James Richter")."""
    head, comma, tail = text.partition(",")
    if not comma or not all(_NAMELIKE.fullmatch(p.strip()) for p in (head, *tail.split(","))):
        return None
    if any(_bare(w) in _COMPANY for w in re.split(r"[\s,]+", tail) if w):
        return None
    parts = split_name(text)
    if parts.family != head.strip() or not parts.given:
        return None
    return parts


def turn_family_first(r: ContactRecord) -> None:
    """A record whose only name is written family name first (a vCard FN "Richter, James"
    and no N): its parts filled in, and the name shown as said ("James Richter")."""
    if any((r.prefix, r.given_name, r.additional_names, r.family_name, r.suffix)):
        return
    if r.full_name == r.organization:
        return  # an organisation's card: "Smith, Jones & Partners"
    parts = family_first(r.full_name)
    if parts is not None:
        r.prefix, r.given_name, r.additional_names = parts.prefix, parts.given, parts.middle
        r.family_name, r.suffix, r.full_name = parts.family, parts.suffix, ""


def fill_name_parts(r: ContactRecord) -> None:
    """A name typed as one string (a referral, a new contact given only its display name):
    its given and family names filled in by the parser imports use, so a message greets
    "Tunde", not "there". "Bakare, Tunde" is read family name first."""
    if any((r.prefix, r.given_name, r.additional_names, r.family_name, r.suffix)):
        return
    if not r.full_name.strip() or r.full_name == r.organization:
        return  # no name, or an organisation's card
    turn_family_first(r)
    if r.given_name:
        return
    parts = split_name(r.full_name)
    r.prefix, r.given_name, r.additional_names = parts.prefix, parts.given, parts.middle
    r.family_name, r.suffix = parts.family, parts.suffix
