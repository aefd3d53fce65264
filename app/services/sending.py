"""Sending a campaign: one message at a time, throttled, capped per day, resumable.

Each recipient's status is committed before the message goes to the server ("sending") and
after ("sent", or "failed" with the reason). A run that stops for any reason (Pause, Cancel,
a crash, the computer switched off) leaves every message either queued (not sent: the next run
sends it), sent, or, for the one message in flight, failed as unsure, which is never sent again
without the user's say. So nobody gets the same message twice.

This takes the Database rather than a session: it commits once per message, by design.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.model.tables import CampaignRecipient, utcnow
from app.services import outreach, settings
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
    and returns True when it was interrupted. *connect* opens the transport when the first
    message is ready (a wrong password fails here, before any status changes).
    """
    rng = rng or random.Random()
    with db.session() as s:
        outreach.recover(s, campaign_id)
        pace = load_pace(s)
    transport: Transport | None = None
    sent = failed = 0
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
            if transport is None:
                transport = connect()  # MailError: nothing was touched
            with db.session() as s:
                rid = s.scalar(
                    select(CampaignRecipient.id)
                    .where(
                        CampaignRecipient.campaign_id == campaign_id,
                        CampaignRecipient.status == "queued",
                    )
                    .order_by(CampaignRecipient.position, CampaignRecipient.id)
                    .limit(1)
                )
                assert rid is not None
                r = s.get(CampaignRecipient, rid)
                assert r is not None
                try:
                    m = outreach.render_message(s, rid)
                except ValueError as exc:
                    outreach.record_failed(s, rid, str(exc))
                    failed += 1
                    continue
                r.status = "sending"
                r.message_id = r.message_id or new_message_id(account)
                msg = build_message(
                    account, m.to_name, r.email, m.subject, m.body, r.message_id, clock()
                )
            # committed: "sending" is on disk before the server sees anything
            try:
                transport.send(msg)
            except RecipientRefused as exc:
                with db.session() as s:
                    outreach.record_failed(s, rid, str(exc))
                failed += 1
                progress(Progress(sent + failed, sent + failed + left - 1, m.to_name, "failed"))
            except MailError as exc:
                with db.session() as s:
                    if exc.certain_not_sent:
                        r2 = s.get(CampaignRecipient, rid)
                        assert r2 is not None
                        r2.status = "queued"
                    else:
                        outreach.record_failed(s, rid, f"{exc} {outreach.UNSURE}")
                    left = outreach.waiting(s, campaign_id)
                return Outcome(sent, failed, left, "error", str(exc))
            else:
                with db.session() as s:
                    outreach.record_sent(s, rid, clock(), m.subject)
                sent += 1
                progress(Progress(sent + failed, sent + failed + left - 1, m.to_name, "sent"))
            if left - 1 > 0 and pace.max_gap > 0:
                gap = rng.uniform(pace.min_gap, pace.max_gap)
                progress(Progress(sent + failed, sent + failed + left - 1, "", "waiting", gap))
                if wait is not None and wait(gap):
                    with db.session() as s:
                        left = outreach.waiting(s, campaign_id)
                    return Outcome(sent, failed, left, "paused")
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
