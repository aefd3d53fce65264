"""Outreach: personal campaigns, one message per person (the announcement and the asks of
DOMAIN.md), from the template to each recipient's status, replies and the 3B7 follow-ups.

Sending itself (the mail server, throttling, resuming) is services/sending.py; the account and
its password are services/mail.py. Nothing here talks to the network.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.model.tables import (
    Campaign,
    CampaignRecipient,
    Contact,
    ContactEmail,
    ContactTag,
    FollowUp,
    Interaction,
    Organization,
    Tag,
    name_key,
    utcnow,
)
from app.services import profile, templates
from app.services.contacts import list_contact_ids, names_of
from app.services.interactions import delete_interaction, log_interaction
from app.services.mail import address_problem

PURPOSES: list[tuple[str, str]] = [
    ("announce", "Announce my career change"),
    ("introductions", "Ask for introductions"),
    ("resources", "Ask for organisations, sites or newsletters"),
    ("job_tips", "Ask for job tips"),
    ("informational", "Ask for an informational interview"),
    ("reconnect", "Reconnect"),
    ("thank_you", "Say thank you"),
]
PURPOSE_LABELS = dict(PURPOSES)

STATUS_LABELS = {
    "draft": "Draft",
    "held": "Held back (3B7)",
    "queued": "Queued",
    "sending": "Sending",
    "sent": "Sent",
    "failed": "Failed",
    "replied": "Replied",
    "skipped": "Skipped",
}
UNSENT = ("draft", "held", "queued", "failed")
DELIVERED = ("sent", "replied")

# (field, what it holds): the Insert field menu lists these, and nothing else renders.
FIELDS: list[tuple[str, str]] = [
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("full_name", "Full name"),
    ("organization", "Organisation"),
    ("title", "Job title"),
    ("industry", "Industry"),
    ("how_met", "How you met"),
    ("introduced_by", "Who introduced you"),
    ("last_interaction", "What your last interaction was about"),
    ("last_contact", "When you were last in touch (month and year)"),
    *profile.FIELDS,
]
FIELD_NAMES = [f for f, _label in FIELDS]

THREE_B = 3  # business days without a reply: write to the next contact at that employer
SEVEN = 7  # business days without a reply: follow up with the first one
FOLLOW_UP_3B7 = "3b7_follow_up"
NEXT_3B7 = "3b7_next"

# Starter templates, one per purpose, written for career changers: short, the connection
# first, about them more than about you, no "job" in an ask for advice, ending on a question.
STARTERS: dict[str, tuple[str, str]] = {
    "announce": (
        "News from me, and a question for you",
        """Hi {{ first_name | default("there") }},

{% if how_met %}Since we met {{ how_met }}, you have{% else %}You have{% endif %} always been \
generous with your advice, so I wanted you to hear this from me: I am moving into \
{{ my_target_field | default("a new field") }}.

Your experience{% if organization %} at {{ organization }}{% endif %} would help me a lot. Do \
you know someone in that world I should talk to, or a group worth joining? And how are you? \
Could we catch up over coffee soon?

{{ my_first_name }}
""",
    ),
    "introductions": (
        "Could you introduce me?",
        """Hi {{ first_name | default("there") }},

{% if how_met %}We met {{ how_met }}, and {% endif %}your judgement has always impressed me. I \
am moving into {{ my_target_field | default("a new field") }}, and you know people everywhere.

Who in your network would you suggest I speak with? A short introduction from you would mean a \
lot, and I would gladly return the favour.

Would you be open to that?

{{ my_first_name }}
""",
    ),
    "resources": (
        "Your recommendation?",
        """Hi {{ first_name | default("there") }},

{% if how_met %}We met {{ how_met }}, and {% endif %}you know \
{{ my_target_field | default("your field") }} far better than most. Which professional \
association, newsletter or website do you find most useful to keep up with it?

I am moving into the field, and your pick would help me start in the right place. What would \
you recommend?

{{ my_first_name }}
""",
    ),
    "job_tips": (
        "If you hear of an opening",
        """Hi {{ first_name | default("there") }},

{% if how_met %}We met {{ how_met }}. {% endif %}You know \
{{ my_target_field | default("the field") }} well, and that is where I am heading next.

If you hear of an opening{% if organization %} at {{ organization }} or{% endif %} elsewhere \
that you think would suit me, would you let me know? And is there anything I can do for you?

{{ my_first_name }}
""",
    ),
    "informational": (
        "Your advice on {{ my_target_field | default('your field') }}?",
        """Hi {{ first_name | default("there") }},

{% if introduced_by %}{{ introduced_by }} suggested I contact you. {% elif how_met %}We met \
{{ how_met }}. {% endif %}I am exploring {{ my_target_field | default("your field") }} and your \
path{% if organization %} to {{ organization }}{% endif %} interests me.

Could you spare 20 minutes in the next few weeks to share your advice?

{{ my_first_name }}
""",
    ),
    "reconnect": (
        "It has been a while",
        """Hi {{ first_name | default("there") }},

It has been too long since {% if how_met %}we met {{ how_met }}{% else %}we last spoke{% endif \
%}. How are you{% if organization %}, and how are things at {{ organization }}{% endif %}?

I have been thinking about a move into {{ my_target_field | default("a new field") }} and would \
love to hear what you are working on. Coffee soon?

{{ my_first_name }}
""",
    ),
    "thank_you": (
        "Thank you",
        """Hi {{ first_name | default("there") }},

Thank you for your help{% if last_interaction %} with {{ last_interaction }}{% endif %}. Your \
advice made a real difference to how I am approaching \
{{ my_target_field | default("my next step") }}.

Is there anything I can do for you in return?

{{ my_first_name }}
""",
    ),
}


class CampaignNotFound(LookupError):
    pass


@dataclass(frozen=True)
class CampaignRecord:
    name: str
    purpose: str = "announce"
    subject: str = ""
    body: str = ""


@dataclass(frozen=True)
class CampaignSummary:
    id: int
    name: str
    purpose: str
    created_at: dt.datetime
    counts: dict[str, int]

    @property
    def recipients(self) -> int:
        return sum(self.counts.values())


def starter(purpose: str) -> CampaignRecord:
    subject, body = STARTERS[purpose]
    return CampaignRecord(PURPOSE_LABELS[purpose], purpose, subject, body)


def _check(record: CampaignRecord) -> None:
    if not record.name.strip():
        raise ValueError("Give the campaign a name, for example “Announcing my move”.")
    if record.purpose not in PURPOSE_LABELS:
        raise ValueError(f"unknown purpose “{record.purpose}”")
    for part in (record.subject, record.body):
        templates.check(part)


def _get(session: Session, campaign_id: int) -> Campaign:
    c = session.get(Campaign, campaign_id)
    if c is None or c.deleted_at is not None:
        raise CampaignNotFound(f"campaign {campaign_id} is gone")
    return c


def _record(c: Campaign) -> CampaignRecord:
    return CampaignRecord(c.name, c.purpose, c.subject, c.body)


def create_campaign(session: Session, record: CampaignRecord) -> int:
    _check(record)
    c = Campaign(
        name=record.name.strip(), purpose=record.purpose, subject=record.subject, body=record.body
    )
    session.add(c)
    session.flush()
    return c.id


def get_campaign(session: Session, campaign_id: int) -> CampaignRecord:
    return _record(_get(session, campaign_id))


def update_campaign(session: Session, campaign_id: int, record: CampaignRecord) -> CampaignRecord:
    """Save the campaign; returns it as it was, for Undo."""
    _check(record)
    c = _get(session, campaign_id)
    before = _record(c)
    c.name, c.purpose, c.subject, c.body = (
        record.name.strip(),
        record.purpose,
        record.subject,
        record.body,
    )
    return before


def delete_campaign(session: Session, campaign_id: int) -> None:
    """To the trash (Undo restores it); a campaign that is sending cannot be deleted."""
    c = _get(session, campaign_id)
    busy = session.scalar(
        select(func.count())
        .select_from(CampaignRecipient)
        .where(
            CampaignRecipient.campaign_id == campaign_id,
            CampaignRecipient.status.in_(("queued", "sending")),
        )
    )
    if busy:
        raise ValueError("This campaign has messages waiting to be sent: cancel sending first.")
    c.deleted_at = utcnow()


def restore_campaign(session: Session, campaign_id: int) -> None:
    c = session.get(Campaign, campaign_id)
    if c is None:
        raise CampaignNotFound(f"campaign {campaign_id} is gone")
    c.deleted_at = None


def list_campaigns(session: Session) -> list[CampaignSummary]:
    """Every campaign, newest first, with how many recipients are in each status."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for cid, status, n in session.execute(
        select(CampaignRecipient.campaign_id, CampaignRecipient.status, func.count())
        .join(Contact, Contact.id == CampaignRecipient.contact_id)
        .where(Contact.deleted_at.is_(None))
        .group_by(CampaignRecipient.campaign_id, CampaignRecipient.status)
    ):
        counts[cid][status] = n
    rows = session.execute(
        select(Campaign.id, Campaign.name, Campaign.purpose, Campaign.created_at)
        .where(Campaign.deleted_at.is_(None))
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
    )
    return [CampaignSummary(i, n, p, at, dict(counts.get(i, {}))) for i, n, p, at in rows]


# -- the 5-point / 6-point email checker -------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    rule: str
    ok: bool | None  # None: advice only, or not checked for this purpose
    text: str


JOB_WORDS = re.compile(
    r"\b(jobs?|positions?|openings?|vacanc(?:y|ies)|hiring|hire|employment|resumes?|résumés?|"
    r"cv|applications?|apply|applying|salary)\b",
    re.IGNORECASE,
)
_FIELD = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_TAG = re.compile(r"\{%.*?%\}", re.DOTALL)
_CONNECTION = re.compile(
    r"\b(we met|met at|met you|we worked|worked together|worked with|introduc\w*|suggested|"
    r"referred|recommended|fellow|alum\w*|colleague\w*|since we|been (?:too )?long|"
    r"last (?:time )?we|remember|thank(?:s| you)|your (?:talk|article|post|book|panel))\b|"
    r"\{\{\s*(?:how_met|introduced_by)",
    re.IGNORECASE,
)
_YOU = re.compile(r"\b(you|your|yours|yourself|you're|you've|you'd|you'll)\b", re.IGNORECASE)
_ME = re.compile(r"\b(i|me|my|mine|myself|i'm|i've|i'd|i'll)\b", re.IGNORECASE)
_GREETING = re.compile(r"^\s*(hi|hello|dear|hey|good (morning|afternoon|evening))\b", re.I)
ASKS_FOR_ADVICE = ("informational", "introductions", "resources", "reconnect")


def _plain(text: str) -> str:
    """The template as words: a field counts as one word, a tag as none."""
    text = _TAG.sub("", text)
    return _FIELD.sub(lambda m: "Field" if "how_met" not in m.group(0) else m.group(0), text)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'’{}|\"()-]+", _FIELD.sub("Field", text))


def _content_lines(body: str) -> list[str]:
    """The body without its greeting line and its sign-off (short closing lines)."""
    lines = [ln.strip() for ln in _TAG.sub("", body).splitlines()]
    lines = [ln for ln in lines if ln]
    if lines and (
        _GREETING.match(lines[0]) or (len(lines[0].split()) <= 4 and lines[0][-1:] in ",:")
    ):
        lines = lines[1:]
    while lines and len(_words(lines[-1])) <= 4 and "?" not in lines[-1]:
        lines.pop()
    return lines


def check_message(subject: str, body: str, purpose: str) -> list[Finding]:
    """The 5-point and 6-point email rules (Dalton), as findings beside the editor."""
    out: list[Finding] = []
    n = len(_words(_TAG.sub("", body)))
    if n < 75:
        out.append(
            Finding("length", True, f"{n} words: short enough for a 6-point email (under 75).")
        )
    elif n < 100:
        out.append(
            Finding(
                "length",
                None,
                f"{n} words: under 100 for a 5-point email, over 75 for a 6-point one.",
            )
        )
    else:
        out.append(
            Finding("length", False, f"{n} words: over 100. People answer short asks; cut it down.")
        )
    if purpose in ASKS_FOR_ADVICE:
        found = sorted(
            {m.group(0).lower() for m in JOB_WORDS.finditer(_TAG.sub("", subject + " " + body))}
        )
        if found:
            out.append(
                Finding(
                    "no_job_words",
                    False,
                    "Asks for advice, not for a job: take out "
                    + ", ".join(f"“{w}”" for w in found)
                    + ".",
                )
            )
        else:
            out.append(Finding("no_job_words", True, "No mention of jobs: it asks for advice."))
    lines = _content_lines(body)
    first = re.split(r"(?<=[.!?])\s", " ".join(lines), maxsplit=1)[0] if lines else ""
    if _CONNECTION.search(first) or "how_met" in first or "introduced_by" in first:
        out.append(Finding("connection_first", True, "Opens with how you are connected."))
    else:
        out.append(
            Finding(
                "connection_first",
                False,
                "Say how you are connected first (where you met, who suggested you write).",
            )
        )
    ending = lines[-1].rstrip() if lines else ""
    if ending.endswith("?"):
        out.append(Finding("ends_with_question", True, "Ends with a question they can answer."))
    else:
        out.append(Finding("ends_with_question", False, "End with a question, so a reply is easy."))
    text = _plain(" ".join(lines))
    you, me = len(_YOU.findall(text)), len(_ME.findall(text))
    if you > me:
        out.append(Finding("about_them", True, f"More about them ({you}) than about you ({me})."))
    else:
        out.append(
            Finding(
                "about_them",
                False,
                f"More about you ({me} × I/me/my) than about them ({you} × you/your).",
            )
        )
    if not subject.strip():
        out.append(Finding("subject", False, "Give the message a subject."))
    return out


# -- recipients --------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecipientRow:
    id: int
    contact_id: int
    name: str
    email: str
    organization: str
    status: str
    reason: str
    sent_at: dt.datetime | None
    replied_on: dt.date | None
    meeting_booked: bool
    edited: bool
    position: int
    also_at_employer: tuple[str, ...] = field(default=())
    employer_key: str = ""  # normalize.org_key: "Acme Inc." and "ACME" are one employer

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


def add_recipients(session: Session, campaign_id: int, contact_ids: list[int]) -> list[int]:
    """Add people (once each); those without an email, with one that is not a single address,
    or who opted out are added as skipped, with the reason. Returns the new recipients' ids,
    for Undo."""
    _get(session, campaign_id)
    have = set(
        session.scalars(
            select(CampaignRecipient.contact_id).where(CampaignRecipient.campaign_id == campaign_id)
        )
    )
    position = (
        session.scalar(
            select(func.max(CampaignRecipient.position)).where(
                CampaignRecipient.campaign_id == campaign_id
            )
        )
        or 0
    )
    wanted = [cid for cid in dict.fromkeys(contact_ids) if cid not in have]
    live = set(
        session.scalars(
            select(Contact.id).where(Contact.id.in_(wanted), Contact.deleted_at.is_(None))
        )
    )
    rows = []
    for cid in wanted:
        if cid in live:
            position += 1
            rows.append(
                CampaignRecipient(
                    campaign_id=campaign_id,
                    contact_id=cid,
                    position=position,
                    status="draft",
                    reason="",
                    email="",
                )
            )
    session.add_all(rows)
    _refresh(session, rows)
    session.flush()
    return [r.id for r in rows]


def remove_recipients(session: Session, recipient_ids: list[int]) -> list[dict[str, Any]]:
    """Take people out of a campaign before they were sent anything; returns what Undo needs.
    Raises ValueError when one was already sent (or is being sent) their message."""
    rows = [session.get(CampaignRecipient, rid) for rid in recipient_ids]
    found = [r for r in rows if r is not None]
    if any(r.status in ("sent", "replied", "sending", "queued") for r in found):
        raise ValueError(
            "Only people not yet sent their message can be removed; cancel sending first."
        )
    snapshots = [
        {col.name: getattr(r, col.key) for col in CampaignRecipient.__table__.columns}
        for r in found
    ]
    for r in found:
        session.delete(r)
    session.flush()
    return snapshots


def restore_recipients(session: Session, snapshots: list[dict[str, Any]]) -> None:
    for snap in snapshots:
        session.add(CampaignRecipient(**snap))
    session.flush()


def recipients(session: Session, campaign_id: int) -> list[RecipientRow]:
    """The campaign's people in order, each with who else in the campaign works there."""
    session.flush()
    rows = session.execute(
        select(
            CampaignRecipient,
            Organization.name,
            Organization.match_key,
        )
        .join(Contact, Contact.id == CampaignRecipient.contact_id)
        .outerjoin(Organization, Organization.id == Contact.organization_id)
        .where(CampaignRecipient.campaign_id == campaign_id, Contact.deleted_at.is_(None))
        .order_by(CampaignRecipient.position, CampaignRecipient.id)
    ).all()
    names = names_of(session, [r.contact_id for r, _o, _k in rows])
    by_employer: dict[str, list[int]] = defaultdict(list)
    for r, _org, key in rows:
        if key:
            by_employer[key].append(r.contact_id)
    out = []
    for r, org, key in rows:
        others = tuple(
            names.get(c, "") for c in by_employer.get(key or "", []) if c != r.contact_id
        )
        out.append(
            RecipientRow(
                r.id,
                r.contact_id,
                names.get(r.contact_id, ""),
                r.email,
                org or "",
                r.status,
                r.reason,
                r.sent_at,
                r.replied_on,
                r.meeting_booked,
                r.subject_override is not None or r.body_override is not None,
                r.position,
                others,
                key or "",
            )
        )
    return out


def employer_warnings(rows: list[RecipientRow]) -> list[str]:
    """3B7: people at one employer are approached one after the other, not at once."""
    seen: dict[str, list[RecipientRow]] = defaultdict(list)
    for r in rows:
        if r.employer_key and r.status != "skipped":
            seen[r.employer_key].append(r)
    return [
        f"{len(people)} people at {people[0].organization} "
        f"({', '.join(p.name for p in people)}): write to one first; 3B7 suggests the next "
        "only after 3 business days without a reply."
        for _key, people in sorted(seen.items())
        if len(people) > 1
    ]


@dataclass(frozen=True)
class Selection:
    """Who to add: a search, a tag, an industry, a keep-in-touch tier (all that are given),
    or everyone, only when asked for in so many words: an empty selection is nobody."""

    query: str = ""
    tag: str = ""
    industry: str | None = None
    tier: str = ""
    everyone: bool = False

    @property
    def chosen(self) -> bool:
        return bool(
            self.everyone
            or self.query.strip()
            or self.tag
            or self.industry is not None
            or self.tier
        )


def select_contacts(session: Session, selection: Selection, limit: int = 5000) -> list[int]:
    if not selection.chosen:
        return []
    ids = list_contact_ids(session, selection.query)
    if not (selection.tag or selection.industry is not None or selection.tier):
        return ids[:limit]
    stmt = select(Contact.id).where(Contact.deleted_at.is_(None))
    if selection.query.strip():
        stmt = stmt.where(Contact.id.in_(ids))
    if selection.tag:
        stmt = stmt.where(
            Contact.id.in_(
                select(ContactTag.contact_id)
                .join(Tag, Tag.id == ContactTag.tag_id)
                .where(Tag.name_key == name_key(selection.tag))
            )
        )
    if selection.industry is not None:
        stmt = stmt.where(Contact.industry == selection.industry)
    if selection.tier:
        stmt = stmt.where(Contact.tier == selection.tier)
    chosen = set(session.scalars(stmt))
    return [i for i in ids if i in chosen][:limit]


def set_opt_out(session: Session, contact_id: int, opted_out: bool) -> bool:
    """The person asked not to get campaign messages (or, for Undo, not any more); their
    unsent messages are skipped, with the reason. Returns the earlier value."""
    c = session.get(Contact, contact_id)
    if c is None:
        raise LookupError(f"contact {contact_id} is gone")
    before = c.outreach_opt_out
    c.outreach_opt_out = opted_out
    session.flush()
    _refresh(
        session,
        list(
            session.scalars(
                select(CampaignRecipient).where(
                    CampaignRecipient.contact_id == contact_id,
                    CampaignRecipient.status.in_(("draft", "held", "skipped", "failed")),
                )
            )
        ),
    )
    return before


def _refresh(session: Session, rows: list[CampaignRecipient]) -> None:
    """Bring unsent recipients up to date with their contacts (an email added or removed, an
    opt-out, a contact deleted), in three queries however many there are."""
    rows = [r for r in rows if r.status in ("draft", "held", "skipped", "failed")]
    if not rows:
        return
    session.flush()
    ids = list({r.contact_id for r in rows})
    live = dict(
        session.execute(
            select(Contact.id, Contact.outreach_opt_out).where(
                Contact.id.in_(ids), Contact.deleted_at.is_(None)
            )
        ).all()
    )
    first: dict[int, str] = {}
    for cid, value in session.execute(
        select(ContactEmail.contact_id, ContactEmail.value)
        .where(ContactEmail.contact_id.in_(ids))
        .order_by(ContactEmail.contact_id, ContactEmail.position.desc(), ContactEmail.id.desc())
    ):
        first[cid] = value  # the first by position comes last
    for r in rows:
        if r.contact_id in live:
            r.email = first.get(r.contact_id, "")
        if r.contact_id not in live:
            reason = "No longer in your contacts"
        elif live[r.contact_id]:
            reason = "Asked not to get these messages (opted out)"
        elif not r.email:
            reason = "No email address"
        elif problem := address_problem(r.email):
            reason = problem
        else:
            reason = ""
        if reason:
            r.status, r.reason = "skipped", reason
        elif not reason and r.status == "skipped":
            r.status, r.reason = "draft", ""


def refresh_recipients(session: Session, campaign_id: int) -> None:
    """Bring the campaign's unsent recipients up to date with their contacts."""
    _refresh(
        session,
        list(
            session.scalars(
                select(CampaignRecipient).where(
                    CampaignRecipient.campaign_id == campaign_id,
                    CampaignRecipient.status.in_(("draft", "held", "skipped", "failed")),
                )
            )
        ),
    )


# -- rendering ---------------------------------------------------------------------------------
def contact_values(session: Session, contact_id: int) -> dict[str, str]:
    """The merge fields for one person (empty strings where nothing is known)."""
    found = values_of(session, [contact_id])
    if contact_id not in found:
        raise LookupError(f"contact {contact_id} is gone")
    return found[contact_id]


def values_of(session: Session, contact_ids: list[int]) -> dict[int, dict[str, str]]:
    """The merge fields of many people at once: a handful of queries, not a handful each."""
    if not contact_ids:
        return {}
    session.flush()
    ids = list(set(contact_ids))
    rows = session.execute(
        select(
            Contact.id,
            Contact.given_name,
            Contact.nickname,
            Contact.full_name,
            Contact.family_name,
            Contact.title,
            Contact.industry,
            Contact.how_met,
            Contact.introduced_by_id,
            Organization.name,
        )
        .outerjoin(Organization, Organization.id == Contact.organization_id)
        .where(Contact.id.in_(ids))
    ).all()
    introducers = [r[8] for r in rows if r[8] is not None]
    names = names_of(session, ids + introducers)
    last: dict[int, tuple[str, dt.date]] = {}
    for cid, summary, on in session.execute(
        select(Interaction.contact_id, Interaction.summary, Interaction.occurred_on)
        .where(Interaction.contact_id.in_(ids))
        .order_by(Interaction.contact_id, Interaction.occurred_on, Interaction.id)
    ):
        last[cid] = (summary, on)  # the newest comes last
    mine = profile.template_values(profile.load_profile(session))
    out = {}
    for cid, given, nick, full, family, title, industry, how_met, intro, org in rows:
        words = full.split()
        latest = last.get(cid)
        out[cid] = {
            "first_name": given or nick or (words[0] if words else ""),
            "last_name": family,
            "full_name": names.get(cid, ""),
            "organization": org or "",
            "title": title,
            "industry": industry,
            "how_met": how_met,
            "introduced_by": names.get(intro, "") if intro is not None else "",
            "last_interaction": latest[0] if latest else "",
            "last_contact": f"{latest[1]:%B %Y}" if latest else "",
            **mine,
        }
    return out


@dataclass(frozen=True)
class Message:
    recipient_id: int
    contact_id: int
    to_name: str
    to_email: str
    subject: str
    body: str
    missing: tuple[str, ...]  # fields printed blank in this message
    edited: bool
    message_id: str = ""


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:  # a field left out of a sentence must not leave a run of blank lines
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out) + "\n"


def render_message(
    session: Session, recipient_id: int, values: dict[str, str] | None = None
) -> Message:
    """The message this person gets: the user's hand edit, or the template rendered for them
    (with *values*, when the caller fetched them for many at once). Raises ValueError when the
    template is broken."""
    r = session.get(CampaignRecipient, recipient_id)
    if r is None:
        raise LookupError(f"recipient {recipient_id} is gone")
    c = _get(session, r.campaign_id)
    if values is None:
        values = contact_values(session, r.contact_id)
    missing: list[str] = []
    if r.subject_override is not None:
        subject = r.subject_override
    else:
        rendered = templates.render(c.subject, values)
        subject, missing = " ".join(rendered.text.split()), list(rendered.missing)
    if r.body_override is not None:
        body = r.body_override
    else:
        rendered = templates.render(c.body, values)
        body = _tidy(rendered.text)
        missing += [m for m in rendered.missing if m not in missing]
    return Message(
        r.id,
        r.contact_id,
        values["full_name"],
        r.email,
        subject,
        body,
        tuple(missing),
        r.subject_override is not None or r.body_override is not None,
        r.message_id,
    )


def test_copy(m: Message) -> tuple[str, str]:
    """Subject and body of the test the user sends themselves of *m*."""
    return (
        f"[Test] {m.subject}",
        f"(A test of what {m.to_name or m.to_email} will get.)\n\n{m.body}",
    )


def preview_template(session: Session, campaign_id: int, record: CampaignRecord) -> str:
    """The body as the campaign's first recipient (or a made-up one) would get it."""
    first = session.scalar(
        select(CampaignRecipient.contact_id)
        .where(CampaignRecipient.campaign_id == campaign_id)
        .order_by(CampaignRecipient.position)
        .limit(1)
    )
    values = contact_values(session, first) if first is not None else {"first_name": "Alex"}
    return _tidy(templates.render(record.body, values).text)


@dataclass(frozen=True)
class Problem:
    recipient_id: int | None  # None: the whole campaign
    who: str
    text: str
    blocking: bool


def problems(
    session: Session, campaign_id: int, recipient_ids: list[int] | None = None
) -> list[Problem]:
    """What to fix before sending: unknown fields (blocking), a broken template (blocking),
    and, per recipient, fields that would print blank."""
    c = _get(session, campaign_id)
    out: list[Problem] = []
    try:
        unknown = templates.unknown_fields(c.subject + "\n" + c.body, FIELD_NAMES)
    except ValueError as exc:
        return [Problem(None, "", str(exc), True)]
    for name in unknown:
        out.append(
            Problem(
                None,
                "",
                f"“{{{{ {name} }}}}” is not a field: use Insert field for the list.",
                True,
            )
        )
    if not c.subject.strip():
        out.append(Problem(None, "", "The message has no subject.", True))
    rows = [r for r in recipients(session, campaign_id) if r.status in UNSENT]
    if recipient_ids is not None:
        rows = [r for r in rows if r.id in recipient_ids]
    labels = dict(FIELDS)
    values = values_of(session, [r.contact_id for r in rows])
    # Held here so the session's identity map keeps them: render_message's get() then costs
    # no query each (500 recipients: 0.3 s less).
    loaded = _loaded(session, campaign_id)
    for row in rows:
        try:
            m = render_message(session, row.id, values.get(row.contact_id))
        except ValueError as exc:  # 1/0, a loop that never ends: the same for everyone
            out.append(Problem(None, "", str(exc), True))
            break
        for name in m.missing:
            out.append(
                Problem(
                    row.id,
                    row.name,
                    f"{labels.get(name, name)} is blank for {row.name or row.email}",
                    False,
                )
            )
    del loaded
    return out


def _loaded(session: Session, campaign_id: int) -> dict[int, CampaignRecipient]:
    return {
        r.id: r
        for r in session.scalars(
            select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign_id)
        )
    }


def set_override(
    session: Session, recipient_id: int, subject: str | None, body: str | None
) -> tuple[str | None, str | None]:
    """Edit one person's message by hand (None: back to the template); returns the earlier
    edit, for Undo. A message already sent cannot change."""
    r = session.get(CampaignRecipient, recipient_id)
    if r is None:
        raise LookupError(f"recipient {recipient_id} is gone")
    if r.status in ("sending", "sent", "replied"):
        raise ValueError("This message was already sent; it can no longer change.")
    before = (r.subject_override, r.body_override)
    r.subject_override, r.body_override = subject, body
    return before


# -- queueing ----------------------------------------------------------------------------------
def queue(
    session: Session,
    campaign_id: int,
    recipient_ids: list[int] | None = None,
    hold_same_employer: bool = True,
) -> dict[str, int]:
    """Mark messages to be sent (drafts, failed ones to try again but not those that may have
    arrived, or the *recipient_ids* given, held and unsure ones included). With
    *hold_same_employer*, only the first person at each employer is queued; the others are
    held back, as 3B7 says. Raises ValueError while a blocking problem remains."""
    blocking = [p.text for p in problems(session, campaign_id, []) if p.blocking]
    if blocking:
        raise ValueError(blocking[0])
    loaded = _loaded(session, campaign_id)
    _refresh(session, list(loaded.values()))
    rows = recipients(session, campaign_id)
    wanted = {
        r.id
        for r in rows
        if (r.id in recipient_ids if recipient_ids is not None else queued_by_send(r))
        and r.status in UNSENT
    }
    busy_employers = {
        r.employer_key
        for r in rows
        if r.status in ("queued", "sending", "sent", "replied") and r.employer_key
    }
    counts: Counter[str] = Counter()
    for row in rows:
        if row.id not in wanted:
            continue
        r = loaded[row.id]
        org = row.employer_key
        if hold_same_employer and org and org in busy_employers and recipient_ids is None:
            r.status, r.reason = "held", f"Someone at {row.organization} gets theirs first (3B7)"
            counts["held"] += 1
            continue
        if org:
            busy_employers.add(org)
        r.status, r.reason = "queued", ""
        counts["queued"] += 1
    return dict(counts)


def unqueue(session: Session, campaign_id: int) -> int:
    """Cancel: queued messages go back to drafts. Returns how many."""
    result = session.execute(
        update(CampaignRecipient)
        .where(CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.status == "queued")
        .values(status="draft", reason="")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def waiting(session: Session, campaign_id: int | None = None) -> int:
    """Messages queued (in one campaign, or in all): sending stopped before they went."""
    stmt = (
        select(func.count())
        .select_from(CampaignRecipient)
        .join(Campaign, Campaign.id == CampaignRecipient.campaign_id)
        .where(CampaignRecipient.status == "queued", Campaign.deleted_at.is_(None))
    )
    if campaign_id is not None:
        stmt = stmt.where(CampaignRecipient.campaign_id == campaign_id)
    return session.scalar(stmt) or 0


UNSURE = (
    "Second Act stopped while this message was being handed to the mail server, so it may "
    "have arrived. Check your Sent folder (or ask), then choose Mark as sent or Send again."
)


def unsure(reason: str) -> bool:
    """The message failed as it was being handed over (UNSURE): it may have arrived."""
    return reason.endswith(UNSURE)


def queued_by_send(row: RecipientRow) -> bool:
    """Send queues drafts and the failed messages that surely did not go; a message that may
    have arrived goes again only when the user chooses Send again for that person."""
    return row.status == "draft" or (row.status == "failed" and not unsure(row.reason))


def recover(session: Session, campaign_id: int) -> int:
    """After a crash: a message left "sending" may or may not have gone. It is never sent
    again on its own: it is marked failed with UNSURE, for the user to decide."""
    result = session.execute(
        update(CampaignRecipient)
        .where(CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.status == "sending")
        .values(status="failed", reason=UNSURE)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# -- after sending ----------------------------------------------------------------------------
def add_business_days(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def record_sent(session: Session, recipient_id: int, at: dt.datetime, subject: str) -> None:
    """The server took the message: it is an interaction (an email), and 3B7 follow-ups wait
    on Today: the next person at the same employer after 3 business days without a reply,
    a follow-up with this one after 7."""
    r = session.get(CampaignRecipient, recipient_id)
    assert r is not None
    r.status, r.reason, r.sent_at = "sent", "", at
    c = _get(session, r.campaign_id)
    day = at.date()
    log_interaction(session, r.contact_id, day, "email", f"Sent “{subject}” ({c.name})")
    first = contact_values(session, r.contact_id)["first_name"] or "them"
    session.add(
        FollowUp(
            contact_id=r.contact_id,
            due_on=add_business_days(day, SEVEN),
            text=f"No reply yet to “{subject}” (sent {day.day} {day:%b}): follow up with {first}",
            purpose=FOLLOW_UP_3B7,
            recipient_id=r.id,
        )
    )
    row = next(x for x in recipients(session, r.campaign_id) if x.id == r.id)
    nxt = next(
        (
            x
            for x in recipients(session, r.campaign_id)
            if x.status == "held" and row.employer_key and x.employer_key == row.employer_key
        ),
        None,
    )
    if nxt is not None:
        session.add(
            FollowUp(
                contact_id=nxt.contact_id,
                due_on=add_business_days(day, THREE_B),
                text=(
                    f"If {row.name} at {row.organization} has not replied, send {nxt.name} "
                    f"their message (3B7), in Outreach: “{c.name}”"
                ),
                purpose=NEXT_3B7,
                recipient_id=r.id,
            )
        )
    session.flush()


def record_failed(session: Session, recipient_id: int, reason: str) -> None:
    r = session.get(CampaignRecipient, recipient_id)
    assert r is not None
    r.status, r.reason = "failed", reason


def mark_sent_by_hand(session: Session, recipient_ids: list[int], on: dt.date) -> None:
    """The user checked: the message did go (after an unsure stop)."""
    for rid in recipient_ids:
        r = session.get(CampaignRecipient, rid)
        if r is None or r.status != "failed":
            continue
        subject = render_message(session, rid).subject
        record_sent(session, rid, dt.datetime.combine(on, dt.time(12)), subject)


def mark_replied(
    session: Session, recipient_id: int, on: dt.date, meeting: bool = False
) -> dict[str, Any]:
    """They replied: logged as an interaction, the 3B7 follow-ups close. Returns what Undo
    needs (unmark_replied)."""
    r = session.get(CampaignRecipient, recipient_id)
    if r is None:
        raise LookupError(f"recipient {recipient_id} is gone")
    if r.status not in ("sent", "replied"):
        raise ValueError("Only a message that was sent can have a reply.")
    if r.sent_at is not None and on < r.sent_at.date():
        raise ValueError("The reply cannot come before the message was sent.")
    undo: dict[str, Any] = {
        "status": r.status,
        "replied_on": r.replied_on,
        "meeting": r.meeting_booked,
        "interaction": None,
        "closed": [],
    }
    if r.status != "replied":
        c = _get(session, r.campaign_id)
        undo["interaction"] = log_interaction(
            session, r.contact_id, on, "email", f"Replied to “{c.name}”"
        )
    r.status, r.replied_on, r.meeting_booked = "replied", on, meeting
    for f in session.scalars(
        select(FollowUp).where(FollowUp.recipient_id == r.id, FollowUp.done_at.is_(None))
    ):
        f.done_at = utcnow()
        undo["closed"].append(f.id)
    return undo


def unmark_replied(session: Session, recipient_id: int, undo: dict[str, Any]) -> None:
    r = session.get(CampaignRecipient, recipient_id)
    if r is None:
        return
    r.status, r.replied_on, r.meeting_booked = undo["status"], undo["replied_on"], undo["meeting"]
    if undo["interaction"] is not None:
        delete_interaction(session, undo["interaction"])
    for fid in undo["closed"]:
        f = session.get(FollowUp, fid)
        if f is not None:
            f.done_at = None


@dataclass(frozen=True)
class Summary:
    recipients: int
    counts: dict[str, int]
    meetings: int
    sent_by_day: list[tuple[dt.date, int]]
    replied_by_day: list[tuple[dt.date, int]]

    @property
    def sent(self) -> int:
        return self.counts.get("sent", 0) + self.counts.get("replied", 0)

    @property
    def replied(self) -> int:
        return self.counts.get("replied", 0)

    @property
    def reply_rate(self) -> float:
        return self.replied / self.sent if self.sent else 0.0


def summary(session: Session, campaign_id: int) -> Summary:
    rows = recipients(session, campaign_id)
    counts = Counter(r.status for r in rows)
    sent = Counter(r.sent_at.date() for r in rows if r.sent_at is not None)
    replied = Counter(r.replied_on for r in rows if r.replied_on is not None)
    return Summary(
        len(rows),
        dict(counts),
        sum(1 for r in rows if r.meeting_booked),
        sorted(sent.items()),
        sorted(replied.items()),
    )
