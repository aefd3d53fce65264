"""Industries: suggested from organisation and title by a small keyword table the user can
edit, confirmed by the user; and the network counted by industry and by employer (the map).

Industry is not a vCard field, so nothing is set without the user's say.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.model.tables import Contact, Interaction, Organization
from app.services import settings
from app.services.contacts import fetch_rows

KEYWORDS_KEY = "industry_keywords"
TARGET_KEY = "target_industry"
DORMANT_DAYS = 730  # two years without an interaction: a dormant tie

# keyword (matched as a whole word, without case, in the organisation or the title) → industry
DEFAULT_KEYWORDS: list[tuple[str, str]] = [
    ("hospital", "Healthcare"),
    ("health", "Healthcare"),
    ("clinic", "Healthcare"),
    ("medical", "Healthcare"),
    ("nurse", "Healthcare"),
    ("physician", "Healthcare"),
    ("pharma", "Pharmaceuticals"),
    ("pharmaceuticals", "Pharmaceuticals"),
    ("biotech", "Biotechnology"),
    ("therapeutics", "Biotechnology"),
    ("university", "Higher education"),
    ("college", "Higher education"),
    ("professor", "Higher education"),
    ("lecturer", "Higher education"),
    ("postdoc", "Higher education"),
    ("school", "Education"),
    ("teacher", "Education"),
    ("bank", "Finance"),
    ("capital", "Finance"),
    ("investment", "Finance"),
    ("insurance", "Insurance"),
    ("accountant", "Accounting"),
    ("audit", "Accounting"),
    ("software", "Software"),
    ("developer", "Software"),
    ("engineer", "Engineering"),
    ("data", "Data and analytics"),
    ("analytics", "Data and analytics"),
    ("consulting", "Consulting"),
    ("consultant", "Consulting"),
    ("law", "Law"),
    ("legal", "Law"),
    ("attorney", "Law"),
    ("lawyer", "Law"),
    ("marketing", "Marketing"),
    ("media", "Media"),
    ("news", "Media"),
    ("publishing", "Publishing"),
    ("foundation", "Nonprofit"),
    ("charity", "Nonprofit"),
    ("council", "Government"),
    ("ministry", "Government"),
    ("government", "Government"),
    ("energy", "Energy"),
    ("solar", "Energy"),
    ("retail", "Retail"),
    ("logistics", "Logistics"),
    ("manufacturing", "Manufacturing"),
    ("recruiter", "Recruiting"),
    ("recruitment", "Recruiting"),
]


def keywords(session: Session) -> list[tuple[str, str]]:
    raw = settings.get(session, KEYWORDS_KEY)
    if raw is None:
        return list(DEFAULT_KEYWORDS)
    try:
        return [(str(k), str(v)) for k, v in json.loads(raw)]
    except (ValueError, TypeError):
        return list(DEFAULT_KEYWORDS)


def set_keywords(session: Session, table: list[tuple[str, str]] | None) -> str | None:
    """Store the user's table (None: back to the defaults); returns the earlier one (raw)."""
    if table is None:
        return settings.put(session, KEYWORDS_KEY, None)
    clean = [(k.strip(), v.strip()) for k, v in table if k.strip() and v.strip()]
    return settings.put(session, KEYWORDS_KEY, json.dumps(clean))


def restore_keywords(session: Session, raw: str | None) -> None:
    settings.put(session, KEYWORDS_KEY, raw)


class Suggester:
    """Which industry an organisation and a title suggest: the first keyword found wins."""

    def __init__(self, table: list[tuple[str, str]]) -> None:
        self._table = [
            (re.compile(rf"(?<!\w){re.escape(k.casefold())}(?!\w)"), v) for k, v in table
        ]

    def __call__(self, organization: str, title: str) -> str:
        for text in (organization.casefold(), title.casefold()):
            for pattern, industry in self._table:
                if text and pattern.search(text):
                    return industry
        return ""


@dataclass(frozen=True)
class Suggestion:
    contact_id: int
    name: str
    organization: str
    title: str
    industry: str  # what the contact has now
    suggested: str


def suggestions(session: Session, ids: list[int] | None = None) -> list[Suggestion]:
    """Contacts without an industry (or *ids*, whatever they have) and what the table
    suggests for each; those with no suggestion come last. All of them: a list cut at 2,000
    said "Suggestions (2000)" for 2,006 people and left the rest for a second run."""
    stmt = select(Contact.id).where(Contact.deleted_at.is_(None))
    if ids is None:
        stmt = stmt.where(Contact.industry == "").order_by(Contact.sort_name)
    else:
        stmt = stmt.where(Contact.id.in_(ids))
    wanted = list(session.scalars(stmt))
    rows = fetch_rows(session, wanted)
    suggest = Suggester(keywords(session))
    out = [
        Suggestion(
            cid, r.name, r.organization, r.title, r.industry, suggest(r.organization, r.title)
        )
        for cid in wanted
        if (r := rows.get(cid)) is not None
    ]
    out.sort(key=lambda s: (not s.suggested, s.name.casefold()))
    return out


COMMON_SUGGESTION_UP_TO = 500  # contacts; each is about 80 µs of matching


def common_suggestion(session: Session, ids: list[int]) -> str:
    """The industry the table suggests for *ids* when it suggests one and the same for each
    that it suggests anything for; "" when they differ, when none is suggested, or for more
    than COMMON_SUGGESTION_UP_TO people (the window asks this before its dialog opens)."""
    if len(ids) > COMMON_SUGGESTION_UP_TO:
        return ""
    common = {x.suggested for x in suggestions(session, ids) if x.suggested}
    return common.pop() if len(common) == 1 else ""


def industries_in_use(session: Session) -> list[str]:
    used = set(
        session.scalars(
            select(Contact.industry).where(Contact.industry != "", Contact.deleted_at.is_(None))
        )
    )
    used |= {v for _k, v in keywords(session)}
    return sorted(used, key=str.casefold)


def target_industry(session: Session) -> str:
    return settings.get(session, TARGET_KEY) or ""


def set_target_industry(session: Session, industry: str) -> str | None:
    return settings.put(session, TARGET_KEY, industry.strip() or None)


@dataclass(frozen=True)
class Bar:
    """One bar of the network map: the people in an industry or at an employer."""

    label: str  # "" for contacts with no industry
    key: str  # what the contact list is filtered by (industry, or organisation match key)
    active: int  # in touch within two years
    dormant: int  # last contact two years ago or more
    unlogged: int  # nothing logged yet

    @property
    def total(self) -> int:
        return self.active + self.dormant + self.unlogged


def _bars(
    session: Session,
    label_col: object,
    key_col: object,
    today: dt.date,
    limit: int | None,
    join_org: bool,
) -> list[Bar]:
    # Two index seeks a contact (interactions by contact and day), not a scan of them all.
    since = today - dt.timedelta(days=DORMANT_DAYS)
    recent = (
        select(Interaction.id)
        .where(Interaction.contact_id == Contact.id, Interaction.occurred_on >= since)
        .correlate(Contact)
        .exists()
    )
    logged = (
        select(Interaction.id)
        .where(Interaction.contact_id == Contact.id)
        .correlate(Contact)
        .exists()
    )
    active = func.sum(func.iif(recent, 1, 0))
    unlogged = func.sum(func.iif(logged, 0, 1))
    stmt = (
        select(func.min(label_col), key_col, active, func.count() - active - unlogged, unlogged)  # type: ignore[call-overload]
        .select_from(Contact)
        .where(Contact.deleted_at.is_(None))
    )
    if join_org:
        stmt = stmt.join(Organization, Organization.id == Contact.organization_id).where(
            Organization.match_key != ""
        )
    stmt = stmt.group_by(key_col).order_by(func.count().desc(), func.min(label_col))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        Bar(label or "", key or "", a or 0, d or 0, u or 0)
        for label, key, a, d, u in session.execute(stmt)
    ]


def by_industry(session: Session, today: dt.date) -> list[Bar]:
    """Every industry (and "none set"), largest first."""
    return _bars(session, Contact.industry, Contact.industry, today, None, join_org=False)


def by_organization(session: Session, today: dt.date, limit: int = 15) -> list[Bar]:
    """The employers with the most contacts, the same name told apart without legal suffixes."""
    return _bars(session, Organization.name, Organization.match_key, today, limit, join_org=True)
