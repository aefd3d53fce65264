"""The card properties Second Act keeps as vCard lines (ContactRecord.extra_lines), in words.

Spouse, manager, assistant, anniversary, related people, other dates, instant-messaging
handles and the like are not modelled, but they are the user's data all the same: the
contact pane shows them from here (read-only), as each address book dialect writes them.
"""

from __future__ import annotations

import re

from app.model.records import IM_PROPERTIES

# Property (upper case, without a group) -> what it is, in words. Several dialects each.
NAMED = {
    "ROLE": "Role",
    "ANNIVERSARY": "Anniversary",
    "X-ANNIVERSARY": "Anniversary",
    "X-EVOLUTION-ANNIVERSARY": "Anniversary",
    "X-MS-ANNIVERSARY": "Anniversary",
    "X-KADDRESSBOOK-X-ANNIVERSARY": "Anniversary",
    "X-SPOUSE": "Spouse",
    "X-EVOLUTION-SPOUSE": "Spouse",
    "X-MS-SPOUSE": "Spouse",
    "X-KADDRESSBOOK-X-SPOUSESNAME": "Spouse",
    "X-KADDRESSBOOK-X-SPOUSENAME": "Spouse",
    "X-MANAGER": "Manager",
    "X-EVOLUTION-MANAGER": "Manager",
    "X-MS-MANAGER": "Manager",
    "X-KADDRESSBOOK-X-MANAGERSNAME": "Manager",
    "X-ASSISTANT": "Assistant",
    "X-EVOLUTION-ASSISTANT": "Assistant",
    "X-MS-ASSISTANT": "Assistant",
    "X-KADDRESSBOOK-X-ASSISTANTSNAME": "Assistant",
    "X-KADDRESSBOOK-X-PROFESSION": "Profession",
    "X-KADDRESSBOOK-X-OFFICE": "Office",
    "X-KADDRESSBOOK-X-DEPARTMENT": "Department",
    "X-KADDRESSBOOK-BLOGFEED": "Blog feed",
    "X-KADDRESSBOOK-X-IMADDRESS": "Instant messaging",
    "X-ABRELATEDNAMES": "Related",
    "X-ABDATE": "Date",
    "RELATED": "Related",
    "GENDER": "Gender",
    "X-GENDER": "Gender",
    "X-PHONETIC-FIRST-NAME": "First name, as said",
    "X-PHONETIC-LAST-NAME": "Last name, as said",
    "GEO": "Location",
    "TZ": "Time zone",
    "LANG": "Language",
    "FBURL": "Free/busy",
    "CALURI": "Calendar",
    "CALADRURI": "Calendar requests",
    "X-MESSAGING": "Messaging",
    "X-MS-TEL": "Phone",
    "SOURCE": "Source",
    "X-FC-TAGS": "Tags",
    "X-ABADR": "Country code",
    "LABEL": "Address label",
    "BDAY": "Birthday",
    "ORG": "Organisation",
    "TITLE": "Job title",
    "N": "Name",
    "FN": "Name",
    "NICKNAME": "Nickname",
    "NOTE": "Note",
    "X-MAILER": "Mailer",
    "MAILER": "Mail program",
}
IM_NAMES = {
    "X-AIM": "AIM",
    "X-GADUGADU": "Gadu-Gadu",
    "X-GOOGLE-TALK": "Google Talk",
    "X-GTALK": "Google Talk",
    "X-GROUPWISE": "GroupWise",
    "X-ICQ": "ICQ",
    "X-JABBER": "Jabber",
    "X-MS-IMADDRESS": "Instant messaging",
    "X-MSN": "MSN",
    "X-QQ": "QQ",
    "X-SKYPE": "Skype",
    "X-SKYPE-USERNAME": "Skype",
    "X-TWITTER": "Twitter",
    "X-WECHAT": "WeChat",
    "X-YAHOO": "Yahoo",
}
# Bookkeeping of the programs that wrote the card, nothing a person reads.
TECHNICAL = frozenset(
    {
        "VERSION",
        "PRODID",
        "REV",
        "UID",
        "CLASS",
        "KIND",
        "SORT-STRING",
        "CLIENTPIDMAP",
        "PHOTO",
        "LOGO",
        "SOUND",
        "KEY",
        "X-ABLABEL",
        "X-ABUID",
        "X-ABSHOWAS",
        "X-ID",
        "X-ETAG",
        "X-GENERATOR",
        "X-MOZILLA-HTML",
        "X-MOZILLA-CPT",
        "X-MS-OL-DESIGN",
        "X-MS-OL-DEFAULT-POSTAL-ADDRESS",
        "X-EVOLUTION-FILE-AS",
        "X-FC-LIST-ID",
        "X-COUCHDB-APPLICATION-ANNOTATIONS",
    }
)


def _unescape(value: str) -> str:
    return re.sub(r"\\([nN,;:\\])", lambda m: "\n" if m[1] in "nN" else m[1], value).strip()


def _words(label: str) -> str:
    """Apple's _$!<Mother>!$_ and friends read "Mother"."""
    m = re.fullmatch(r"_\$!<(.*)>!\$_", label.strip())
    return m[1] if m else label.strip()


def _date(value: str) -> str:
    """19900615 and 1990-06-15 read 1990-06-15; --0615 (no year) reads 06-15."""
    m = re.fullmatch(r"(\d{4}|--)-?(\d{2})-?(\d{2})(?:T.*)?", value)
    if not m:
        return value
    year = "" if m[1] == "--" else m[1] + "-"
    return f"{year}{m[2]}-{m[3]}"


def _fc_encoded(name: str) -> str | None:
    """FairEmail/FC writes X-FCENCODED-<hex of "X-FC-RelatedNames:Spouse">: the last part."""
    try:
        decoded = bytes.fromhex(name[len("X-FCENCODED-") :]).decode("utf-8")
    except ValueError:
        return None
    kind, _, label = decoded.partition(":")
    what = "Related" if "RELATED" in kind.upper() else "Date"
    return f"{what} ({label})" if label else what


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def _humanised(name: str) -> str:
    """X-KADDRESSBOOK-X-SOMETHING reads "Something"."""
    words = re.sub(r"^(X-)?([A-Z]+-X-)?", "", name).replace("-", " ").strip().lower()
    return words[:1].upper() + words[1:] if words else name


def card_details(extra_lines: list[str]) -> list[tuple[str, str]]:
    """(what, value) for every kept line a person reads, in the card's order."""
    group_labels: dict[str, str] = {}
    parsed = []
    for line in extra_lines:
        head, sep, value = line.partition(":")
        if not sep:
            continue
        prop, *params = head.split(";")
        group, _, name = prop.rpartition(".")
        name = name.upper()
        if name == "X-ABLABEL" and group:
            group_labels[group.lower()] = _words(_unescape(value))
        parsed.append((group.lower(), name, params, value))
    out = []
    for group, name, params, value in parsed:
        if (
            name in TECHNICAL
            or name.startswith(("X-ABSHOWAS", "X-KADDRESSBOOK-CRYPTO"))
            or any(p.upper() in ("ENCODING=B", "ENCODING=BASE64") for p in params)
        ):
            continue
        text = _unescape(value)
        if not text:
            continue
        if name.startswith("X-FCENCODED-"):
            what = _fc_encoded(name) or _humanised(name)
        elif name in IM_PROPERTIES:
            what = IM_NAMES.get(name, "Instant messaging")
            if name == "IMPP" and re.match(r"[a-z][a-z0-9+.-]*:", text, re.I):
                scheme, text = text.split(":", 1)
                what = IM_NAMES.get("X-" + scheme.upper(), scheme.capitalize())
                text = text.lstrip("/")
        else:
            what = NAMED.get(name) or _humanised(name)
        kinds = [
            k.strip('"')
            for p in params
            if p.upper().startswith("TYPE=")
            for k in p.split("=", 1)[1].split(",")
        ]
        label = group_labels.get(group) or ", ".join(
            k for k in kinds if k.strip('"').lower() not in ("pref", "internet", "voice", "")
        )
        if label and name in ("X-ABRELATEDNAMES", "X-ABDATE", "RELATED"):
            what = _first_up(_words(label))
        elif label and name not in IM_PROPERTIES:
            what = f"{what} ({label.lower()})"
        if "DATE" in name or what in ("Anniversary", "Date") or name.endswith("ANNIVERSARY"):
            text = _date(text)
        out.append((what, text))
    return out
