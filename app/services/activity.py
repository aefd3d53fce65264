"""What the contact pane shows of one person's activity, read in one go.

Read on whichever thread has the session: the window reads it when the user picks someone,
and a bulk job (an import) reads it for the contact it will show, so the window only fills
widgets when the job hands its result over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.model.tables import Contact
from app.services.contacts import ContactRow, introduced_by
from app.services.followups import FollowUpRow, follow_ups_of
from app.services.groups import GroupRow, groups_of
from app.services.interactions import InteractionRow, interactions_of
from app.services.interviews import InterviewRow, interviews_of
from app.services.reciprocity import Balance, ExchangeRow, balance, exchanges_of
from app.services.today import keep_in_touch_due


@dataclass(frozen=True)
class Activity:
    contact_id: int
    today: dt.date
    tier: str
    due: dt.date | None  # the next keep-in-touch date, if the person has a tier
    history: list[InteractionRow]
    follow_ups: list[FollowUpRow]
    introduced: list[ContactRow]
    exchanges: list[ExchangeRow]
    balance: Balance
    met_at: list[GroupRow]
    interviews: list[InterviewRow]


def activity_of(session: Session, contact_id: int, today: dt.date) -> Activity:
    c = session.get(Contact, contact_id)
    return Activity(
        contact_id=contact_id,
        today=today,
        tier=c.tier if c is not None else "",
        due=keep_in_touch_due(session, contact_id, today),
        history=interactions_of(session, contact_id),
        follow_ups=follow_ups_of(session, contact_id),
        introduced=introduced_by(session, contact_id),
        exchanges=exchanges_of(session, contact_id),
        balance=balance(session, contact_id),
        met_at=groups_of(session, contact_id),
        interviews=interviews_of(session, contact_id),
    )
