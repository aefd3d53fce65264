"""What is due: follow-ups and keep-in-touch reminders, for the Today view and `second-act due`.

Thank-you notes owed come from the asks logged under "Give and take" and from informational
interviews, which also put the day's interviews here; the report back after an interview is a
follow-up. Replies to outreach will add their own kind of item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, NamedTuple

from sqlalchemy import Date, Result, String, bindparam, func, select
from sqlalchemy.orm import Session

from app.model.records import TIERS, name_from_parts
from app.model.tables import Contact, FollowUp, Interaction, Organization
from app.services import interviews
from app.services.contacts import NAME_COLUMNS, names_of
from app.services.reciprocity import KIND_LABELS, thanks_owed
from app.services.settings import tier_days

FOLLOW_UP = "follow_up"
KEEP_IN_TOUCH = "keep_in_touch"
THANKS = "thanks"
INTERVIEW = "interview"  # an informational interview scheduled for the day
THANK_YOU_NOTE = "thank_you_note"  # the note owed after an interview


class DueItem(NamedTuple):  # a tuple: Today makes hundreds at a time, three times faster
    kind: str  # FOLLOW_UP, KEEP_IN_TOUCH, THANKS, INTERVIEW or THANK_YOU_NOTE
    # the follow-up's id, the contact's for keep-in-touch, the ask's for thanks, the
    # interview's for the last two
    item_id: int
    contact_id: int | None
    who: str
    what: str
    due_on: dt.date

    def overdue_days(self, today: dt.date) -> int:
        return (today - self.due_on).days


def keep_in_touch_due(session: Session, contact_id: int, today: dt.date) -> dt.date | None:
    """When this person is next due a contact, from their tier and the last real contact."""
    c = session.get(Contact, contact_id)
    if c is None or not c.tier:
        return None
    last = session.scalar(
        select(func.max(Interaction.occurred_on)).where(Interaction.contact_id == contact_id)
    )
    created = c.created_at.date().isoformat()
    return _next_due(c.tier, last, created, c.touch_snoozed_until, tier_days(session))


def _next_due(
    tier: str,
    last: dt.date | None,
    created: str,  # YYYY-MM-DD
    snoozed: dt.date | None,
    days: dict[str, int],
) -> dt.date:
    # Never in touch since they were added: due from the day they were added.
    due = dt.date.fromisoformat(created) if last is None else last + dt.timedelta(days=days[tier])
    if snoozed is not None and snoozed > due:
        due = snoozed
    return due


def _interval(tier: str, days: int) -> str:
    """ "every 3 weeks" for a tier left as it was; "every 10 days" for one the user set."""
    label, default = TIERS[tier]
    return label.split(": ", 1)[1] if days == default else f"every {days} days"


# Built once: at 50,000 contacts building the statements cost Today as much as running them.
_FOLLOW_UPS = (
    select(FollowUp.id, FollowUp.contact_id, FollowUp.text, FollowUp.due_on)
    .outerjoin(Contact, Contact.id == FollowUp.contact_id)
    .where(
        FollowUp.done_at.is_(None),
        FollowUp.due_on <= bindparam("today", type_=Date),
        (FollowUp.contact_id.is_(None)) | (Contact.deleted_at.is_(None)),
    )
)
_TIERED = (
    select(
        Contact.id,
        Contact.tier,
        select(func.max(Interaction.occurred_on))
        .where(Interaction.contact_id == Contact.id)
        .correlate(Contact)
        .scalar_subquery(),
        # The day it was added, as text: SQLite's date() cost a fifth of this query.
        func.substr(Contact.created_at, 1, 10, type_=String),
        Contact.touch_snoozed_until,
        *NAME_COLUMNS,  # the names come with the rows: no second query for hundreds of ids
    )
    .outerjoin(Organization, Contact.organization_id == Organization.id)
    .where(Contact.tier > "", Contact.deleted_at.is_(None))
)  # "> ''": ix_contacts_tier


def due_items(session: Session, today: dt.date) -> list[DueItem]:
    """Everything due today or overdue, oldest first."""
    # (kind, item id, contact id, what, due); Core rows, as Today may hold hundreds.
    found: list[tuple[str, int, int | None, str, dt.date]] = []
    session.flush()  # Core reads below do not autoflush the caller's pending changes
    db = session.connection()
    follow_ups = db.execute(_FOLLOW_UPS, {"today": today})
    found.extend((FOLLOW_UP, fid, cid, text, due) for fid, cid, text, due in follow_ups)
    days = tier_days(session)
    intervals = {tier: f"Keep in touch ({_interval(tier, n)})" for tier, n in days.items()}
    named: dict[int, str] = {}
    for cid, tier, last_on, created, snoozed, *name in _rows(db.execute(_TIERED)):
        if tier not in days:
            continue
        due = _next_due(tier, last_on, created, snoozed, days)
        if due <= today:
            found.append((KEEP_IN_TOUCH, cid, cid, intervals[tier], due))
            named[cid] = name_from_parts(*(v or "" for v in name))
    for owed in thanks_owed(session, today):
        what = f"Say thank you for {KIND_LABELS[owed.kind][0].lower()}{KIND_LABELS[owed.kind][1:]}"
        what += f" (asked {owed.asked_on.day} {owed.asked_on:%b})"
        found.append((THANKS, owed.exchange_id, owed.contact_id, what, owed.due_on))
    for d in interviews.due(session, today):
        kind = THANK_YOU_NOTE if d.thank_you else INTERVIEW
        found.append((kind, d.interview_id, d.contact_id, d.what, d.due_on))
    names = names_of(session, [f[2] for f in found if f[2] is not None and not named.get(f[2])])
    names.update((cid, name) for cid, name in named.items() if name)
    out = [
        DueItem(kind, item_id, cid, names.get(cid, "") if cid is not None else "", what, due)
        for kind, item_id, cid, what, due in found
    ]
    out.sort(key=_order)
    return out


def _order(i: DueItem) -> tuple[dt.date, str, str, int]:
    return (i.due_on, i.kind, i.who.casefold(), i.item_id)


def snooze_keep_in_touch(
    session: Session, contact_id: int, until: dt.date | None
) -> dt.date | None:
    """Not before *until* (None: as the tier says); returns the earlier snooze, for Undo."""
    c = session.get(Contact, contact_id)
    if c is None:
        raise LookupError(f"contact {contact_id} is gone")
    before = c.touch_snoozed_until
    c.touch_snoozed_until = until
    return before


def _rows(result: Result[Any]) -> Iterator[Any]:
    """The rows a few hundred at a time: fetching and converting 50,000 at once is one C call
    that holds the interpreter lock for a tenth of a second or more, and the window, reading
    Today on another thread, could not paint meanwhile."""
    for part in result.partitions(500):
        yield from part
