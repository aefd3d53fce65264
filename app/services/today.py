"""What is due: follow-ups and keep-in-touch reminders, for the Today view and `second-act due`.

Thank-you notes owed come from the asks logged under "Give and take"; interviews and replies to
outreach will add their own kinds of item here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.model.records import TIERS
from app.model.tables import Contact, FollowUp, Interaction
from app.services.contacts import fetch_rows
from app.services.reciprocity import KIND_LABELS, thanks_owed
from app.services.settings import tier_days

FOLLOW_UP = "follow_up"
KEEP_IN_TOUCH = "keep_in_touch"
THANKS = "thanks"


@dataclass(frozen=True)
class DueItem:
    kind: str  # FOLLOW_UP, KEEP_IN_TOUCH or THANKS
    item_id: int  # the follow-up's id, the contact's for keep-in-touch, the ask's for thanks
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
    return _next_due(c.tier, last, c.created_at.date(), c.touch_snoozed_until, tier_days(session))


def _next_due(
    tier: str,
    last: dt.date | None,
    created: dt.date,
    snoozed: dt.date | None,
    days: dict[str, int],
) -> dt.date:
    # Never in touch since they were added: due from the day they were added.
    due = created if last is None else last + dt.timedelta(days=days[tier])
    if snoozed is not None and snoozed > due:
        due = snoozed
    return due


def _interval(tier: str, days: int) -> str:
    """ "every 3 weeks" for a tier left as it was; "every 10 days" for one the user set."""
    label, default = TIERS[tier]
    return label.split(": ", 1)[1] if days == default else f"every {days} days"


def due_items(session: Session, today: dt.date) -> list[DueItem]:
    """Everything due today or overdue, oldest first."""
    items: list[tuple[DueItem, int | None]] = []
    follow_ups = session.execute(
        select(FollowUp.id, FollowUp.contact_id, FollowUp.text, FollowUp.due_on)
        .outerjoin(Contact, Contact.id == FollowUp.contact_id)
        .where(
            FollowUp.done_at.is_(None),
            FollowUp.due_on <= today,
            (FollowUp.contact_id.is_(None)) | (Contact.deleted_at.is_(None)),
        )
    ).all()
    for fid, cid, text, due in follow_ups:
        items.append((DueItem(FOLLOW_UP, fid, cid, "", text, due), cid))
    days = tier_days(session)
    last = (
        select(func.max(Interaction.occurred_on))
        .where(Interaction.contact_id == Contact.id)
        .correlate(Contact)
        .scalar_subquery()
    )
    tiered = session.execute(
        select(
            Contact.id, Contact.tier, last, Contact.created_at, Contact.touch_snoozed_until
        ).where(Contact.deleted_at.is_(None), Contact.tier != "")
    ).all()
    for cid, tier, last_on, created, snoozed in tiered:
        if tier not in days:
            continue
        due = _next_due(tier, last_on, created.date(), snoozed, days)
        if due <= today:
            what = f"Keep in touch ({_interval(tier, days[tier])})"
            items.append((DueItem(KEEP_IN_TOUCH, cid, cid, "", what, due), cid))
    for owed in thanks_owed(session, today):
        what = f"Say thank you for {KIND_LABELS[owed.kind][0].lower()}{KIND_LABELS[owed.kind][1:]}"
        what += f" (asked {owed.asked_on.day} {owed.asked_on:%b})"
        items.append(
            (
                DueItem(THANKS, owed.exchange_id, owed.contact_id, "", what, owed.due_on),
                owed.contact_id,
            )
        )
    names = fetch_rows(session, [cid for _item, cid in items if cid is not None])
    out = [
        DueItem(
            i.kind,
            i.item_id,
            i.contact_id,
            names[cid].name if cid is not None and cid in names else "",
            i.what,
            i.due_on,
        )
        for i, cid in items
    ]
    out.sort(key=lambda i: (i.due_on, i.kind, i.who.casefold(), i.item_id))
    return out


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
