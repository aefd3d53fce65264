"""Informational interviews, from the request to the report back (see DOMAIN.md).

Homework first; 5-10 planned questions that fit the agreed length and include a Resources
question; notes per question while talking; afterwards a debrief, the field's vocabulary,
referrals (each a contact introduced by the interviewee), promises both ways (follow-ups), a
thank-you within a day and a report back about two weeks later. The interview plugs into the
rest: holding it logs an interaction, the thank-you logs one and counts as given, the report
back is a follow-up, and Today shows what is due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from app.model.records import ContactRecord
from app.model.tables import (
    Contact,
    FollowUp,
    GlossaryTerm,
    Interview,
    InterviewQuestion,
    InterviewReferral,
    TargetEmployer,
)
from app.services import profile, reciprocity, settings, templates
from app.services.contacts import ContactNotFound, create_contact, names_of
from app.services.followups import REPORT_BACK, add_follow_up
from app.services.interactions import delete_interaction, log_interaction
from app.services.question_bank import RESOURCES

STATUSES: list[tuple[str, str]] = [
    ("to_request", "To request"),
    ("requested", "Requested"),
    ("scheduled", "Scheduled"),
    ("done", "Done"),
    ("thanked", "Thanked"),
    ("reported_back", "Reported back"),
]
STATUS_LABELS = dict(STATUSES)
FOUND_VIA: list[tuple[str, str]] = [
    ("", "—"),
    ("introduction", "Introduction"),
    ("alumni", "Alumni"),
    ("association", "Association"),
    ("linkedin", "LinkedIn"),
    ("cold", "Cold message"),
]
FOUND_VIA_LABELS = dict(FOUND_VIA)
HOMEWORK: list[tuple[str, str]] = [
    ("background", "Their background and career path"),
    ("news", "The organisation's recent news"),
    ("story", "My 60-second story"),
    ("why_field", "My answer to “why this field?”"),
    ("hopes", "What I hope to learn from them"),
]
DEFAULT_LENGTH, MIN_LENGTH, MAX_LENGTH = 20, 15, 45
FEWEST, MOST = 5, 10  # questions to plan, as the method says
MINUTES_PER_QUESTION, MINUTES_FOR_HELLO = 3, 2
REPORT_BACK_AFTER = dt.timedelta(days=14)
PROMISE = "promise"

DEFAULT_THANK_YOU = """\
Dear {{ first_name | default("there") }},

Thank you for taking the time to talk with me{% if held_on %} on {{ held_on }}{% endif %}.
{% if specific %}I keep coming back to what you said: “{{ specific }}”. {% endif %}\
It gave me a much clearer picture of the work, and of where I could start.
{% if referrals %}
I will get in touch with {{ referrals }}, as you suggested, and let you know how it goes.
{% endif %}
I will report back in a couple of weeks on what I did with your advice.

With thanks,
{{ my_name }}
"""
_TEMPLATE_KEY = "interviews.thank_you_template"


class InterviewNotFound(LookupError):
    pass


@dataclass
class InterviewRecord:
    """What the user edits; the services check it before anything is written."""

    contact_id: int
    status: str = "to_request"
    starts_at: dt.datetime | None = None  # wall-clock time in *tz*
    tz: str = ""
    length_minutes: int = DEFAULT_LENGTH
    place: str = ""
    found_via: str = ""
    employer_id: int | None = None
    homework_done: frozenset[str] = frozenset()
    homework_notes: str = ""
    notes: str = ""
    debrief: str = ""
    thank_you_text: str = ""
    id: int | None = None


@dataclass(frozen=True)
class PlannedQuestion:
    theme: str
    text: str
    note: str = ""


@dataclass(frozen=True)
class InterviewRow:
    """An interview as the list shows it."""

    id: int
    contact_id: int
    who: str
    status: str
    starts_at: dt.datetime | None
    tz: str
    length_minutes: int
    place: str
    employer: str
    held_on: dt.date | None
    thank_you_sent_on: dt.date | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class Promise:
    follow_up_id: int
    text: str
    due_on: dt.date
    done: bool


@dataclass
class InterviewDetail:
    record: InterviewRecord
    who: str
    first_name: str
    introduced_by: str
    held_on: dt.date | None
    thank_you_sent_on: dt.date | None
    questions: list[PlannedQuestion] = field(default_factory=list)
    referrals: list[tuple[int, str]] = field(default_factory=list)
    promises: list[Promise] = field(default_factory=list)
    report_back: Promise | None = None


def when_text(starts_at: dt.datetime | None, held_on: dt.date | None) -> str:
    """An interview's date wherever it is shown (list, header, prep sheet): the day it was
    held once held, whatever was planned; before that, the planned day and time."""
    if held_on is not None:
        return f"Held {held_on:%a} {held_on.day} {held_on:%b %Y}"
    if starts_at is not None:
        return f"{starts_at:%a} {starts_at.day} {starts_at:%b %Y, %H:%M}"
    return ""


def _sort_day(starts_at: dt.datetime | None, held_on: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(held_on, dt.time()) if held_on is not None else starts_at


# -- checks ----------------------------------------------------------------------------------
def check(record: InterviewRecord) -> None:
    """Raise ValueError, in words for the user, when the record cannot be saved."""
    if record.status not in STATUS_LABELS:
        raise ValueError(f"unknown status {record.status!r}")
    if record.found_via not in FOUND_VIA_LABELS:
        raise ValueError(f"unknown way of finding someone {record.found_via!r}")
    if not MIN_LENGTH <= record.length_minutes <= MAX_LENGTH:
        raise ValueError(
            f"Ask for {MIN_LENGTH} to {MAX_LENGTH} minutes; {DEFAULT_LENGTH} is what most "
            "people agree to."
        )
    if record.status == "scheduled" and record.starts_at is None:
        raise ValueError("A scheduled interview needs a date and time.")
    if record.tz:
        zone(record.tz)
    unknown = set(record.homework_done) - {k for k, _ in HOMEWORK}
    if unknown:
        raise ValueError(f"unknown homework {sorted(unknown)}")


def zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"“{name}” is not a time zone this computer knows.") from exc


def questions_that_fit(length_minutes: int) -> int:
    """About three minutes a question, after a couple of minutes of hello."""
    return max(1, (length_minutes - MINUTES_FOR_HELLO) // MINUTES_PER_QUESTION)


def plan_warnings(length_minutes: int, questions: list[PlannedQuestion]) -> list[str]:
    """What the method would say about this plan, in the user's words; [] when it is sound."""
    out = []
    n = len(questions)
    if n and not any(q.theme == RESOURCES for q in questions):
        out.append(
            "No Resources question: ask “Who else should I talk to?” so that the conversation "
            "leads to the next one."
        )
    fit = questions_that_fit(length_minutes)
    if n > fit:
        out.append(
            f"{n} questions will not fit in {length_minutes} minutes (about {fit} do). Keep "
            "the most important first, or drop some: the agreed time is a promise."
        )
    if 0 < n < FEWEST:
        out.append(f"Plan at least {FEWEST} questions, in priority order.")
    elif n > MOST:
        out.append(f"More than {MOST} questions: pick the best {MOST} at most.")
    return out


# -- reading ---------------------------------------------------------------------------------
def _record(i: Interview) -> InterviewRecord:
    return InterviewRecord(
        contact_id=i.contact_id,
        status=i.status,
        starts_at=i.starts_at,
        tz=i.tz,
        length_minutes=i.length_minutes,
        place=i.place,
        found_via=i.found_via,
        employer_id=i.employer_id,
        homework_done=frozenset(k for k in i.homework_done.split(",") if k),
        homework_notes=i.homework_notes,
        notes=i.notes,
        debrief=i.debrief,
        thank_you_text=i.thank_you_text,
        id=i.id,
    )


def _get(session: Session, interview_id: int) -> Interview:
    i = session.get(Interview, interview_id)
    if i is None:
        raise InterviewNotFound(f"interview {interview_id} is gone")
    return i


def _rows(session: Session, where: Any) -> list[InterviewRow]:
    stmt = (
        select(Interview, TargetEmployer.name)
        .join(Contact, Contact.id == Interview.contact_id)
        .outerjoin(TargetEmployer, TargetEmployer.id == Interview.employer_id)
        .where(Contact.deleted_at.is_(None), where)
    )
    found = session.execute(stmt).all()
    names = names_of(session, [i.contact_id for i, _ in found])
    order = {k: n for n, (k, _) in enumerate(STATUSES)}
    rows = [
        InterviewRow(
            i.id,
            i.contact_id,
            names.get(i.contact_id, ""),
            i.status,
            i.starts_at,
            i.tz,
            i.length_minutes,
            i.place,
            employer or "",
            i.held_on,
            i.thank_you_sent_on,
        )
        for i, employer in found
    ]
    far = dt.datetime.max
    rows.sort(
        key=lambda r: (
            order[r.status],
            _sort_day(r.starts_at, r.held_on) or far,
            r.who.casefold(),
            r.id,
        )
    )
    return rows


def list_interviews(session: Session, status: str | None = None) -> list[InterviewRow]:
    """By status (to request first, reported back last), then by date."""
    return _rows(session, Interview.status == status if status else True)


def interviews_of(session: Session, contact_id: int) -> list[InterviewRow]:
    return _rows(session, Interview.contact_id == contact_id)


def get_interview(session: Session, interview_id: int) -> InterviewDetail:
    i = _get(session, interview_id)
    c = session.get(Contact, i.contact_id)
    assert c is not None
    names = names_of(session, [i.contact_id] + ([c.introduced_by_id] if c.introduced_by_id else []))
    detail = InterviewDetail(
        record=_record(i),
        who=names.get(i.contact_id, ""),
        first_name=c.given_name or names.get(i.contact_id, "").split(" ")[0],
        introduced_by=names.get(c.introduced_by_id, "") if c.introduced_by_id else "",
        held_on=i.held_on,
        thank_you_sent_on=i.thank_you_sent_on,
        questions=plan_of(session, interview_id),
    )
    referred = list(
        session.scalars(
            select(InterviewReferral.contact_id).where(
                InterviewReferral.interview_id == interview_id
            )
        )
    )
    referred_names = names_of(session, referred)
    detail.referrals = sorted(
        ((cid, referred_names.get(cid, "")) for cid in referred), key=lambda r: r[1].casefold()
    )
    for f in session.scalars(
        select(FollowUp).where(FollowUp.interview_id == interview_id).order_by(FollowUp.id)
    ):
        p = Promise(f.id, f.text, f.due_on, f.done_at is not None)
        if f.purpose == REPORT_BACK:
            detail.report_back = p
        else:
            detail.promises.append(p)
    return detail


def plan_of(session: Session, interview_id: int) -> list[PlannedQuestion]:
    return [
        PlannedQuestion(q.theme, q.text, q.note)
        for q in session.scalars(
            select(InterviewQuestion)
            .where(InterviewQuestion.interview_id == interview_id)
            .order_by(InterviewQuestion.position, InterviewQuestion.id)
        )
    ]


# -- writing ---------------------------------------------------------------------------------
def _write(i: Interview, r: InterviewRecord) -> None:
    i.contact_id = r.contact_id
    i.status = r.status
    i.starts_at = r.starts_at
    i.tz = r.tz
    i.length_minutes = r.length_minutes
    i.place = r.place.strip()
    i.found_via = r.found_via
    i.employer_id = r.employer_id
    i.homework_done = ",".join(k for k, _ in HOMEWORK if k in r.homework_done)
    i.homework_notes = r.homework_notes
    i.notes = r.notes
    i.debrief = r.debrief
    i.thank_you_text = r.thank_you_text


def create_interview(session: Session, record: InterviewRecord) -> int:
    check(record)
    c = session.get(Contact, record.contact_id)
    if c is None or c.deleted_at is not None:
        raise ContactNotFound("That contact is no longer in your contacts.")
    i = Interview()
    _write(i, record)
    if not record.found_via and c.introduced_by_id:
        i.found_via = "introduction"
    session.add(i)
    session.flush()
    record.id = i.id
    return i.id


def update_interview(session: Session, record: InterviewRecord) -> InterviewRecord:
    """Save the user's edits; returns the record as it was, for Undo."""
    check(record)
    assert record.id is not None
    i = _get(session, record.id)
    before = _record(i)
    _write(i, record)
    return before


def set_plan(
    session: Session, interview_id: int, questions: list[PlannedQuestion]
) -> list[PlannedQuestion]:
    """Replace the planned questions (in this order); returns the plan as it was."""
    _get(session, interview_id)
    before = plan_of(session, interview_id)
    session.execute(delete(InterviewQuestion).where(InterviewQuestion.interview_id == interview_id))
    cleaned = [q for q in questions if q.text.strip()]
    if cleaned:
        session.execute(
            insert(InterviewQuestion),
            [
                {
                    "interview_id": interview_id,
                    "position": n,
                    "theme": q.theme,
                    "text": q.text.strip(),
                    "note": q.note,
                }
                for n, q in enumerate(cleaned)
            ],
        )
    return before


def save_conversation(
    session: Session, interview_id: int, notes: str, question_notes: list[str]
) -> tuple[str, list[str]]:
    """What was noted while talking: the free note and one note per planned question."""
    i = _get(session, interview_id)
    notes_before, i.notes = i.notes, notes
    plan = plan_of(session, interview_id)
    padded = (question_notes + [""] * len(plan))[: len(plan)]
    plan_before = set_plan(
        session, interview_id, [replace(q, note=n) for q, n in zip(plan, padded, strict=True)]
    )
    return notes_before, [q.note for q in plan_before]


def mark_held(session: Session, interview_id: int, on: dt.date) -> dict[str, Any]:
    """The conversation happened: status done, and an interaction in the contact's history.

    Returns what undo_held needs.
    """
    i = _get(session, interview_id)
    undo: dict[str, Any] = {"status": i.status, "held_on": i.held_on, "interaction": None}
    if i.held_on is None:
        undo["interaction"] = log_interaction(
            session, i.contact_id, on, "meeting", "Informational interview"
        )
    i.held_on = i.held_on or on
    if i.status in ("to_request", "requested", "scheduled"):
        i.status = "done"
    return undo


def undo_held(session: Session, interview_id: int, undo: dict[str, Any]) -> None:
    i = _get(session, interview_id)
    i.status, i.held_on = undo["status"], undo["held_on"]
    if undo["interaction"] is not None:
        delete_interaction(session, undo["interaction"])


def delete_interview(session: Session, interview_id: int) -> dict[str, Any]:
    """Delete an interview with its plan; returns a snapshot for restore_interview."""
    i = _get(session, interview_id)
    snapshot = {
        "row": {c.name: getattr(i, c.name) for c in Interview.__table__.columns},
        "plan": plan_of(session, interview_id),
        "referrals": list(
            session.scalars(
                select(InterviewReferral.contact_id).where(
                    InterviewReferral.interview_id == interview_id
                )
            )
        ),
        "follow_ups": list(
            session.scalars(select(FollowUp.id).where(FollowUp.interview_id == interview_id))
        ),
        "terms": list(
            session.scalars(
                select(GlossaryTerm.id).where(GlossaryTerm.interview_id == interview_id)
            )
        ),
    }
    session.delete(i)
    session.flush()
    return snapshot


def restore_interview(session: Session, snapshot: dict[str, Any]) -> None:
    row = snapshot["row"]
    session.execute(insert(Interview), [row])
    set_plan(session, row["id"], snapshot["plan"])
    if snapshot["referrals"]:
        session.execute(
            insert(InterviewReferral),
            [{"interview_id": row["id"], "contact_id": c} for c in snapshot["referrals"]],
        )
    for table, ids in ((FollowUp, snapshot["follow_ups"]), (GlossaryTerm, snapshot["terms"])):
        if ids:
            session.execute(update(table).where(table.id.in_(ids)).values(interview_id=row["id"]))


# -- afterwards ------------------------------------------------------------------------------
def add_referral(
    session: Session,
    interview_id: int,
    new: ContactRecord | None = None,
    existing_id: int | None = None,
) -> int:
    """A person the interviewee referred the user to: a new contact, or one already there,
    with "introduced by" set to the interviewee. Returns the contact's id."""
    i = _get(session, interview_id)
    names = names_of(session, [i.contact_id])
    if existing_id is None:
        if new is None:
            raise ValueError("Name the person, or pick one from your contacts.")
        record = replace(new, introduced_by_id=i.contact_id)
        if not record.how_met:
            record.how_met = (
                f"Referred by {names.get(i.contact_id, 'them')} (informational interview)"
            )
        existing_id = create_contact(session, record)
    else:
        if existing_id == i.contact_id:
            raise ValueError("Someone cannot refer you to themselves.")
        c = session.get(Contact, existing_id)
        if c is None or c.deleted_at is not None:
            raise ContactNotFound("That contact is no longer in your contacts.")
        interviewee = session.get(Contact, i.contact_id)
        assert interviewee is not None
        # Someone already known keeps their introducer; never make two people introduce each
        # other.
        if c.introduced_by_id is None and interviewee.introduced_by_id != existing_id:
            c.introduced_by_id = i.contact_id
    already = session.get(InterviewReferral, (interview_id, existing_id))
    if already is None:
        session.add(InterviewReferral(interview_id=interview_id, contact_id=existing_id))
        session.flush()
    return existing_id


def remove_referral(session: Session, interview_id: int, contact_id: int) -> None:
    session.execute(
        delete(InterviewReferral).where(
            InterviewReferral.interview_id == interview_id,
            InterviewReferral.contact_id == contact_id,
        )
    )


def add_promise(session: Session, interview_id: int, mine: bool, text: str, due_on: dt.date) -> int:
    """A promised action: one the user made (a to-do) or one the interviewee made (a reminder
    to check on it). Either way a follow-up on Today when due."""
    i = _get(session, interview_id)
    text = " ".join(text.split())
    if not text:
        raise ValueError("Say what was promised, for example “send the article”.")
    first = names_of(session, [i.contact_id]).get(i.contact_id, "They").split(" ")[0]
    label = "I promised" if mine else f"{first} promised"
    fid = add_follow_up(session, i.contact_id, due_on, f"{label}: {text}")
    f = session.get(FollowUp, fid)
    assert f is not None
    f.interview_id, f.purpose = interview_id, PROMISE
    return fid


def add_term(
    session: Session, term: str, meaning: str = "", interview_id: int | None = None
) -> int:
    term = " ".join(term.split())
    if not term:
        raise ValueError("Write the word or phrase.")
    g = GlossaryTerm(term=term, meaning=meaning.strip(), interview_id=interview_id)
    session.add(g)
    session.flush()
    return g.id


def update_term(session: Session, term_id: int, term: str, meaning: str) -> tuple[str, str]:
    g = session.get(GlossaryTerm, term_id)
    if g is None:
        raise LookupError(f"term {term_id} is gone")
    if not term.strip():
        raise ValueError("Write the word or phrase.")
    before = (g.term, g.meaning)
    g.term, g.meaning = " ".join(term.split()), meaning.strip()
    return before


def delete_term(session: Session, term_id: int) -> dict[str, Any]:
    g = session.get(GlossaryTerm, term_id)
    if g is None:
        raise LookupError(f"term {term_id} is gone")
    kept = {c.name: getattr(g, c.name) for c in GlossaryTerm.__table__.columns}
    session.delete(g)
    return kept


def restore_term(session: Session, kept: dict[str, Any]) -> None:
    session.execute(insert(GlossaryTerm), [kept])


@dataclass(frozen=True)
class TermRow:
    id: int
    term: str
    meaning: str
    interview_id: int | None
    learned_from: str  # the interviewee's name
    learned_on: dt.date


def glossary(session: Session, query: str = "", interview_id: int | None = None) -> list[TermRow]:
    """Every term learned, alphabetical; *query* matches term or meaning, ignoring case."""
    stmt = select(GlossaryTerm, Interview.contact_id).outerjoin(
        Interview, Interview.id == GlossaryTerm.interview_id
    )
    if interview_id is not None:
        stmt = stmt.where(GlossaryTerm.interview_id == interview_id)
    words = query.casefold().split()
    found = session.execute(stmt).all()
    names = names_of(session, [cid for _, cid in found if cid is not None])
    rows = [
        TermRow(
            g.id,
            g.term,
            g.meaning,
            g.interview_id,
            names.get(cid, "") if cid is not None else "",
            g.created_at.date(),
        )
        for g, cid in found
        if all(w in f"{g.term} {g.meaning}".casefold() for w in words)
    ]
    rows.sort(key=lambda r: (r.term.casefold(), r.id))
    return rows


# -- the thank-you ---------------------------------------------------------------------------
def thank_you_template(session: Session) -> str:
    return settings.get(session, _TEMPLATE_KEY) or DEFAULT_THANK_YOU


def set_thank_you_template(session: Session, text: str | None) -> str | None:
    """Store the user's template (None: back to the shipped one); returns the earlier one."""
    if text is not None:
        templates.check(text)  # a template that does not parse is refused here
    return settings.put(session, _TEMPLATE_KEY, text)


def my_name(session: Session) -> str:
    """How the user signs: their profile's (see services/profile.py)."""
    return profile.load_profile(session).signature


def set_my_name(session: Session, name: str) -> str | None:
    return settings.put(session, profile.SIGN_AS_KEY, " ".join(name.split()) or None)


def specifics(detail: InterviewDetail) -> list[str]:
    """Things the user noted that a thank-you can quote: debrief points, then answers."""
    out = []
    for line in detail.record.debrief.splitlines() + [q.note for q in detail.questions]:
        line = line.strip().lstrip("-•* ").strip()
        if line and line not in out:
            out.append(line)
    return out


def draft_thank_you(
    session: Session, interview_id: int, specific: str | None = None, template: str | None = None
) -> str:
    """The thank-you note from the template, quoting *specific* (default: the first debrief
    point or answer noted). Raises ValueError when the template is broken."""
    detail = get_interview(session, interview_id)
    if specific is None:
        found = specifics(detail)
        specific = found[0] if found else ""
    c = session.get(Contact, detail.record.contact_id)
    assert c is not None
    values = {
        "first_name": detail.first_name,
        "name": detail.who,
        "organization": c.organization.name if c.organization else "",
        "held_on": f"{detail.held_on:%A} {detail.held_on.day} {detail.held_on:%B}"
        if detail.held_on
        else "",
        "specific": specific.rstrip("."),
        "referrals": " and ".join(n for _cid, n in detail.referrals),
        "field": c.industry,
        **profile.template_values(profile.load_profile(session)),
    }
    text = templates.render(template or thank_you_template(session), values).text
    return "\n".join(line.rstrip() for line in text.strip().splitlines()) + "\n"


def mark_thank_you_sent(session: Session, interview_id: int, on: dt.date) -> dict[str, Any]:
    """The thank-you went out: logged as an email and as something given back, the interview
    is "thanked", and a report back is due two weeks after the conversation."""
    i = _get(session, interview_id)
    if i.thank_you_sent_on is not None:
        raise ValueError("The thank-you for this interview is already marked sent.")
    who = names_of(session, [i.contact_id]).get(i.contact_id, "them")
    undo: dict[str, Any] = {"status": i.status}
    i.thank_you_sent_on = on
    undo["interaction"] = log_interaction(
        session, i.contact_id, on, "email", "Thank-you note after the informational interview"
    )
    undo["exchange"] = reciprocity.record_exchange(
        session,
        i.contact_id,
        reciprocity.GAVE,
        reciprocity.THANK_YOU,
        on,
        "After the informational interview",
    )
    i.status = "thanked"
    held = i.held_on or on
    undo["follow_up"] = None
    has_report_back = session.scalar(
        select(FollowUp.id).where(
            FollowUp.interview_id == interview_id, FollowUp.purpose == REPORT_BACK
        )
    )
    if has_report_back is None:
        fid = add_follow_up(
            session,
            i.contact_id,
            max(held + REPORT_BACK_AFTER, on + dt.timedelta(days=1)),
            f"Report back to {who} on what you did with their advice",
        )
        f = session.get(FollowUp, fid)
        assert f is not None
        f.interview_id, f.purpose = interview_id, REPORT_BACK
        undo["follow_up"] = fid
    return undo


def unmark_thank_you_sent(session: Session, interview_id: int, undo: dict[str, Any]) -> None:
    i = _get(session, interview_id)
    i.thank_you_sent_on = None
    i.status = undo["status"]
    delete_interaction(session, undo["interaction"])
    reciprocity.delete_exchange(session, undo["exchange"])
    if undo["follow_up"] is not None:
        session.execute(delete(FollowUp).where(FollowUp.id == undo["follow_up"]))


def snooze_thank_you(session: Session, interview_id: int, until: dt.date | None) -> dt.date | None:
    i = _get(session, interview_id)
    before = i.thank_you_remind_on
    i.thank_you_remind_on = until
    return before


# -- what is due -----------------------------------------------------------------------------
@dataclass(frozen=True)
class InterviewDue:
    interview_id: int
    contact_id: int
    what: str
    due_on: dt.date
    thank_you: bool  # True: the thank-you is owed; False: the interview is on this day


def due(session: Session, today: dt.date) -> list[InterviewDue]:
    """Interviews scheduled for today (or past and not marked held), and thank-you notes owed."""
    out = []
    for i in session.scalars(
        select(Interview)
        .join(Contact, Contact.id == Interview.contact_id)
        .where(
            Contact.deleted_at.is_(None),
            Interview.status == "scheduled",
            Interview.starts_at.is_not(None),
        )
    ):
        assert i.starts_at is not None
        if i.starts_at.date() <= today:
            what = f"Informational interview at {i.starts_at:%H:%M} ({i.length_minutes} min)"
            out.append(InterviewDue(i.id, i.contact_id, what, i.starts_at.date(), False))
    for i in session.scalars(
        select(Interview)
        .join(Contact, Contact.id == Interview.contact_id)
        .where(
            Contact.deleted_at.is_(None),
            Interview.held_on.is_not(None),
            Interview.thank_you_sent_on.is_(None),
        )
    ):
        assert i.held_on is not None
        # On Today from the day of the conversation: it is overdue once a day has passed.
        on = max(i.held_on, i.thank_you_remind_on or i.held_on)
        if on <= today:
            what = (
                f"Send the thank-you for the interview on {i.held_on.day} {i.held_on:%b} "
                "(within a day)"
            )
            out.append(InterviewDue(i.id, i.contact_id, what, on, True))
    return out


def due_soon(session: Session, today: dt.date, days: int = 7) -> list[InterviewRow]:
    """Scheduled interviews in the coming days, for Today's "coming up"."""
    end = dt.datetime.combine(today + dt.timedelta(days=days), dt.time.max)
    start = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min)
    return [
        r
        for r in list_interviews(session, "scheduled")
        if r.starts_at is not None and start <= r.starts_at <= end
    ]
