"""Sending a campaign: one message at a time, throttled, capped per day, resumable.

Each recipient's status is committed before the message goes to the server ("sending") and
after ("sent", or "failed" with the reason). A run that stops for any reason (Pause, Cancel,
a crash, the computer switched off) leaves every message either queued (not sent: the next run
sends it), sent, or, for the one message in flight, failed as unsure, which is never sent again
without the user's say. Two senders at once (the window and `campaigns --send`) each take a
message only by changing it from queued to sending (claim_next). So nobody gets the same
message twice.

This takes the Database rather than a session: it commits once per message, by design.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.model.tables import CampaignRecipient, utcnow
from app.services import outreach, settings
from app.services.contacts import names_of
from app.services.mail import (
    MailAccount,
    MailError,
    RecipientRefused,
    build_message,
    new_message_id,
)
from app.storage.db import Database

DEFAULT_MIN_GAP = 60
DEFAULT_MAX_GAP = 90
DEFAULT_DAILY_CAP = 100


@dataclass(frozen=True)
class Pace:
    """Seconds between messages (a random gap in [min_gap, max_gap]) and a daily cap."""

    min_gap: int = DEFAULT_MIN_GAP
    max_gap: int = DEFAULT_MAX_GAP
    daily_cap: int = DEFAULT_DAILY_CAP

    def check(self) -> None:
        if not 0 <= self.min_gap <= self.max_gap <= 3600:
            raise ValueError("The wait between messages is 0 to 3,600 seconds, shortest first.")
        if not 1 <= self.daily_cap <= 2000:
            raise ValueError("The daily limit is between 1 and 2,000 messages.")


def load_pace(session: Session) -> Pace:
    def num(key: str, default: int) -> int:
        value = settings.get(session, key) or ""
        return int(value) if value.isdigit() else default

    return Pace(
        num("mail.min_gap", DEFAULT_MIN_GAP),
        num("mail.max_gap", DEFAULT_MAX_GAP),
        num("mail.daily_cap", DEFAULT_DAILY_CAP),
    )


def save_pace(session: Session, pace: Pace) -> Pace:
    pace.check()
    before = load_pace(session)
    settings.put(session, "mail.min_gap", str(pace.min_gap))
    settings.put(session, "mail.max_gap", str(pace.max_gap))
    settings.put(session, "mail.daily_cap", str(pace.daily_cap))
    return before


class Transport(Protocol):
    def send(self, msg: EmailMessage) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Progress:
    done: int  # messages sent or failed in this run
    total: int  # done + still queued
    who: str  # the person just sent to
    status: str  # "sent", "failed" or "waiting" (the throttle)
    wait_seconds: float = 0.0


@dataclass(frozen=True)
class Outcome:
    sent: int
    failed: int
    left: int  # still queued
    reason: str  # "done", "paused", "cap", "error"
    message: str = ""


def sent_in_last_day(session: Session, now: dt.datetime) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(CampaignRecipient)
            .where(CampaignRecipient.sent_at > now - dt.timedelta(days=1))
        )
        or 0
    )


LAST_SEND = "mail.last_send"  # when a message last went to the server (UTC, ISO format)


def _last_send(session: Session) -> dt.datetime | None:
    value = settings.get(session, LAST_SEND) or ""
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _note_send(session: Session, at: dt.datetime) -> None:
    """Kept in the database, so the throttle's gap holds across a restart and a crash."""
    settings.put(session, LAST_SEND, at.isoformat())


def claim_next(session: Session, campaign_id: int) -> int | None:
    """Take the campaign's next queued message for this run (None: none left).

    The status changes to "sending" only where it is still "queued", in a write transaction,
    so two senders at once (the window and `campaigns --send`, or two of either) never take
    the same message: the one whose update found it queued sends it."""
    while True:
        rid = session.scalar(
            select(CampaignRecipient.id)
            .where(
                CampaignRecipient.campaign_id == campaign_id,
                CampaignRecipient.status == "queued",
            )
            .order_by(CampaignRecipient.position, CampaignRecipient.id)
            .limit(1)
        )
        if rid is None:
            return None
        taken = session.execute(
            update(CampaignRecipient)
            .where(CampaignRecipient.id == rid, CampaignRecipient.status == "queued")
            .values(status="sending")
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return rid
        # Another sender took it first; this transaction now holds the write lock, so the
        # next look sees everything committed.


def send_queued(
    db: Database,
    campaign_id: int,
    account: MailAccount,
    connect: Callable[[], Transport],
    *,
    stop: Callable[[], bool] = lambda: False,
    wait: Callable[[float], bool] | None = None,
    progress: Callable[[Progress], None] = lambda p: None,
    clock: Callable[[], dt.datetime] = utcnow,
    rng: random.Random | None = None,
) -> Outcome:
    """Send the campaign's queued messages, oldest position first.

    *stop* is asked between messages (Pause and Cancel); *wait(seconds)* sleeps the throttle
    and returns True when it was interrupted (None: no throttle). The gap runs from the last
    message the server was handed, in this run or an earlier one (at least the shortest gap
    after a restart). *connect* opens the transport when the first message is ready (a wrong
    password fails here, before any status changes).
    """
    rng = rng or random.Random()
    with db.session() as s:
        outreach.recover(s, campaign_id)
        pace = load_pace(s)
    transport: Transport | None = None
    sent = failed = 0
    gap = float(pace.min_gap)  # before this run's first message
    try:
        while True:
            with db.session() as s:
                left = outreach.waiting(s, campaign_id)
                if not left:
                    return Outcome(sent, failed, 0, "done")
                if stop():
                    return Outcome(sent, failed, left, "paused")
                if sent_in_last_day(s, clock()) >= pace.daily_cap:
                    return Outcome(
                        sent,
                        failed,
                        left,
                        "cap",
                        f"{pace.daily_cap} messages went out in the last 24 hours, your daily "
                        "limit. The rest wait, queued: resume tomorrow.",
                    )
                last = _last_send(s)
            if wait is not None and last is not None and gap > 0:
                pause = min(gap, (last + dt.timedelta(seconds=gap) - clock()).total_seconds())
                if pause > 0:
                    progress(Progress(sent + failed, sent + failed + left, "", "waiting", pause))
                    if wait(pause):
                        with db.session() as s:
                            left = outreach.waiting(s, campaign_id)
                        return Outcome(sent, failed, left, "paused")
            if transport is None:
                transport = connect()  # MailError: nothing was touched
            with db.session() as s:
                rid = claim_next(s, campaign_id)
                if rid is None:  # another sender took the last ones
                    continue
                r = s.get(CampaignRecipient, rid)
                assert r is not None
                r.message_id = r.message_id or new_message_id(account)
                try:
                    m = outreach.render_message(s, rid)
                    msg = build_message(
                        account, m.to_name, r.email, m.subject, m.body, r.message_id, clock()
                    )
                except ValueError as exc:  # a broken template, an address that is not one
                    outreach.record_failed(s, rid, str(exc))
                    failed += 1
                    who = names_of(s, [r.contact_id]).get(r.contact_id) or r.email
                    progress(Progress(sent + failed, sent + failed + left - 1, who, "failed"))
                    continue
                _note_send(s, clock())
            # committed: "sending" is on disk before the server sees anything
            error: MailError | None = None
            try:
                transport.send(msg)
            except MailError as exc:
                error = exc
            with db.session() as s:
                _note_send(s, clock())
                if error is None:
                    outreach.record_sent(s, rid, clock(), m.subject)
                    sent += 1
                elif isinstance(error, RecipientRefused):
                    outreach.record_failed(s, rid, str(error))
                    failed += 1
                elif error.certain_not_sent:
                    r2 = s.get(CampaignRecipient, rid)
                    assert r2 is not None
                    r2.status = "queued"
                else:
                    outreach.record_failed(s, rid, f"{error} {outreach.UNSURE}")
                if error is not None and not isinstance(error, RecipientRefused):
                    left = outreach.waiting(s, campaign_id)
                    return Outcome(sent, failed, left, "error", str(error))
            status = "sent" if error is None else "failed"
            progress(Progress(sent + failed, sent + failed + left - 1, m.to_name, status))
            gap = rng.uniform(pace.min_gap, pace.max_gap)
    finally:
        if transport is not None:
            transport.close()


def send_one(
    account: MailAccount,
    connect: Callable[[], Transport],
    to_name: str,
    to_email: str,
    subject: str,
    body: str,
) -> EmailMessage:
    """One message outside a campaign (a test, an interview's thank-you): its own connection."""
    msg = build_message(account, to_name, to_email, subject, body)
    t = connect()
    try:
        t.send(msg)
    finally:
        t.close()
    return msg
