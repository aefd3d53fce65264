"""What Today's buttons do. Done, Snooze and Open act on items that belong to other tabs (an
interview, a thank-you owed, a follow-up): the window hands in what each of those tabs does as
`Routes`, so Today imports none of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QDialog

from app.services.followups import reschedule
from app.services.today import (
    INTERVIEW,
    KEEP_IN_TOUCH,
    THANK_YOU_NOTE,
    THANKS,
    DueItem,
    snooze_keep_in_touch,
)
from app.ui.common.commands import DbStep
from app.ui.common.forms import PickDateDialog
from app.ui.common.host import Host
from app.ui.today.tab import TodayTab


@dataclass(frozen=True)
class Routes:
    """What the other tabs do with an item of Today's."""

    interview_held: Callable[[int], None]
    thank_you_sent: Callable[[int], None]
    thanked: Callable[[int], None]  # a contact thanked
    log: Callable[[int | None], None]  # an interaction with a contact
    follow_up_done: Callable[[int], None]
    delete_follow_up: Callable[[int], None]
    add_follow_up: Callable[[], None]
    snooze_thank_you: Callable[[int, dt.date, str], None]
    snooze_thanks: Callable[[int, dt.date, str], None]
    open_interview: Callable[[int, bool], None]  # True: at its thank-you (the debrief)


class TodayActions:
    def __init__(self, host: Host, tab: TodayTab, routes: Routes) -> None:
        self.w = host
        self.routes = routes
        tab.done_requested.connect(self.done)
        tab.snooze_requested.connect(self.snooze)
        tab.delete_requested.connect(lambda item: routes.delete_follow_up(item.item_id))
        tab.open_requested.connect(self.open)
        tab.add_follow_up.connect(routes.add_follow_up)

    def done(self, item: DueItem) -> None:
        r = self.routes
        if item.kind == INTERVIEW:
            r.interview_held(item.item_id)
        elif item.kind == THANK_YOU_NOTE:
            r.thank_you_sent(item.item_id)
        elif item.kind == THANKS and item.contact_id is not None:
            r.thanked(item.contact_id)
        elif item.kind == KEEP_IN_TOUCH:
            r.log(item.contact_id)  # done means: you were in touch; say how
        else:
            r.follow_up_done(item.item_id)

    def snooze(self, item: DueItem, until: dt.date | None) -> None:
        w = self.w
        if until is None:
            today = dt.date.today()
            dialog = PickDateDialog(
                "Snooze",
                today + dt.timedelta(days=14),
                w.dialog_parent(),
                earliest=today + dt.timedelta(days=1),
                why="A snooze moves the item off Today until a later day.",
            )
            if w.ask(dialog) != QDialog.DialogCode.Accepted:
                return
            until = dialog.value()
        day = until
        if item.kind == THANK_YOU_NOTE:
            self.routes.snooze_thank_you(item.item_id, day, item.who)
            return
        if item.kind == THANKS:
            self.routes.snooze_thanks(item.item_id, day, item.who)
            w.say(f"Snoozed until {day:%A %d %B}.", 5000)
            return
        if item.kind == KEEP_IN_TOUCH:
            cid = item.item_id
            step = DbStep(
                w.db,
                f"Snooze keeping in touch with {item.who}",
                lambda s: snooze_keep_in_touch(s, cid, day),
                lambda s, before: snooze_keep_in_touch(s, cid, before),
                w.changed,
            )
        else:
            fid = item.item_id
            step = DbStep(
                w.db,
                f"Snooze “{item.what}”",
                lambda s: reschedule(s, fid, day),
                lambda s, before: reschedule(s, fid, before.due_on),
                w.changed,
            )
        w.undo_stack.push(step)
        w.say(f"Snoozed until {day:%A %d %B}.", 5000)

    def open(self, item: DueItem) -> None:
        if item.kind in (INTERVIEW, THANK_YOU_NOTE):
            self.routes.open_interview(item.item_id, item.kind == THANK_YOU_NOTE)
        elif item.contact_id is not None:
            self.w.open_contact(item.contact_id)
