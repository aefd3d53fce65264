"""SQLAlchemy tables. No Qt here: storage is usable and testable without a GUI."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def name_key(name: str) -> str:
    """How organisation and tag names are told apart: case-folded (É = é, ß = ss), trimmed.

    One rule for every path (edits, merges, bulk imports), stored in a unique column.
    """
    return " ".join(name.casefold().split())


class Organization(Base):
    """An employer or association; contacts point here so later views can group by it."""

    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(collation="NOCASE"), unique=True)
    name_key: Mapped[str] = mapped_column(Text, unique=True, index=True, server_default="")
    # For "who do I know at": without case, accents or legal suffixes (normalize.org_key).
    match_key: Mapped[str] = mapped_column(Text, default="", index=True, server_default="")
    industry: Mapped[str] = mapped_column(Text, default="")
    contacts: Mapped[list[Contact]] = relationship(back_populates="organization")


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("tier IN ('', 'A', 'B', 'C', 'D')", name="tier"),
        Index("ix_contacts_uid", "uid"),
        # Only the deleted few: an index over 50,000 NULLs would lead SQLite to walk it for
        # every "deleted_at IS NULL", ahead of an index that actually narrows the search.
        Index("ix_contacts_deleted_at", "deleted_at", sqlite_where=text("deleted_at IS NOT NULL")),
        Index("ix_contacts_tier", "tier"),
        # Deleting a contact looks for those merged into it (ON DELETE SET NULL): without
        # it SQLite read every contact for each one deleted (schema 0012).
        Index("ix_contacts_merged_into_id", "merged_into_id"),
        # The live contacts in the list's order, and by person for same-name pairs: walked in
        # order instead of sorting 50,000 rows or reading each row to leave the deleted out.
        Index(
            "ix_contacts_live_sort_name", "sort_name", "id", sqlite_where=text("deleted_at IS NULL")
        ),
        Index("ix_contacts_live_person_key", "person_key", sqlite_where=text("deleted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(Text, default="")
    full_name: Mapped[str] = mapped_column(Text, default="")
    prefix: Mapped[str] = mapped_column(Text, default="")
    given_name: Mapped[str] = mapped_column(Text, default="")
    additional_names: Mapped[str] = mapped_column(Text, default="")
    family_name: Mapped[str] = mapped_column(Text, default="")
    suffix: Mapped[str] = mapped_column(Text, default="")
    nickname: Mapped[str] = mapped_column(Text, default="")
    # Stored once for sorting the list; derived from the fields above on every save.
    sort_name: Mapped[str] = mapped_column(String(collation="NOCASE"), default="")
    # The person's name as duplicates are found by (normalize.person_key); "" for none.
    person_key: Mapped[str] = mapped_column(Text, default="", index=True, server_default="")
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    department: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text, default="")
    industry: Mapped[str] = mapped_column(Text, default="", index=True)
    bday_year: Mapped[int | None] = mapped_column(Integer)
    bday_month: Mapped[int | None] = mapped_column(Integer)
    bday_day: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    how_met: Mapped[str] = mapped_column(Text, default="")
    introduced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    tier: Mapped[str] = mapped_column(String(1), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Deleting moves a contact to the trash, so Undo (and a later "merged by mistake") is exact.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Keep-in-touch: "not before this day", when the user snoozed the reminder.
    touch_snoozed_until: Mapped[dt.date | None] = mapped_column()
    # The person asked not to get campaign messages: Outreach skips them, saying why.
    outreach_opt_out: Mapped[bool] = mapped_column(default=False, server_default=text("0"))
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )

    organization: Mapped[Organization | None] = relationship(back_populates="contacts")
    emails: Mapped[list[ContactEmail]] = relationship(
        cascade="all, delete-orphan", order_by="ContactEmail.position", back_populates="contact"
    )
    phones: Mapped[list[ContactPhone]] = relationship(
        cascade="all, delete-orphan", order_by="ContactPhone.position", back_populates="contact"
    )
    urls: Mapped[list[ContactUrl]] = relationship(
        cascade="all, delete-orphan", order_by="ContactUrl.position", back_populates="contact"
    )
    addresses: Mapped[list[ContactAddress]] = relationship(
        cascade="all, delete-orphan", order_by="ContactAddress.position", back_populates="contact"
    )
    extra: Mapped[list[ContactExtraProperty]] = relationship(
        cascade="all, delete-orphan",
        order_by="ContactExtraProperty.position",
        back_populates="contact",
    )
    photo: Mapped[ContactPhoto | None] = relationship(
        cascade="all, delete-orphan", back_populates="contact"
    )
    tags: Mapped[list[Tag]] = relationship(secondary="contact_tags", order_by="Tag.name")
    interactions: Mapped[list[Interaction]] = relationship(
        cascade="all, delete-orphan", back_populates="contact"
    )


class _ContactChild:
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class ContactEmail(_ContactChild, Base):
    __tablename__ = "contact_emails"
    value: Mapped[str] = mapped_column(String(collation="NOCASE"), index=True)
    label: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[Contact] = relationship(back_populates="emails")


class ContactPhone(_ContactChild, Base):
    __tablename__ = "contact_phones"
    value: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(Text, default="")
    # E.164 where the number could be understood, for matching the same phone written two ways.
    normalized: Mapped[str] = mapped_column(Text, default="", index=True)
    contact: Mapped[Contact] = relationship(back_populates="phones")


class ContactUrl(_ContactChild, Base):
    __tablename__ = "contact_urls"
    value: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(Text, default="")
    normalized: Mapped[str] = mapped_column(Text, default="", index=True)
    contact: Mapped[Contact] = relationship(back_populates="urls")


class ContactAddress(_ContactChild, Base):
    __tablename__ = "contact_addresses"
    label: Mapped[str] = mapped_column(Text, default="")
    po_box: Mapped[str] = mapped_column(Text, default="")
    extended: Mapped[str] = mapped_column(Text, default="")
    street: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str] = mapped_column(Text, default="")
    region: Mapped[str] = mapped_column(Text, default="")
    postal_code: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[Contact] = relationship(back_populates="addresses")


class ContactExtraProperty(_ContactChild, Base):
    """A vCard content line Second Act does not model, written back verbatim on export."""

    __tablename__ = "contact_extra_properties"
    line: Mapped[str] = mapped_column(Text)
    contact: Mapped[Contact] = relationship(back_populates="extra")


class ContactPhoto(Base):
    """Photos sit in their own table so listing thousands of contacts never loads them."""

    __tablename__ = "contact_photos"
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
    mime: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[Contact] = relationship(back_populates="photo")


class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(collation="NOCASE"), unique=True)
    name_key: Mapped[str] = mapped_column(Text, unique=True, index=True, server_default="")


class ContactTag(Base):
    __tablename__ = "contact_tags"
    __table_args__ = (UniqueConstraint("contact_id", "tag_id"),)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)


class Interaction(Base):
    """A real contact with a person (meeting, call, email); keep-in-touch counts from these."""

    __tablename__ = "interactions"
    # "Last contact" is the newest per person: one index answers it without a scan.
    __table_args__ = (
        Index("ix_interactions_contact_day", "contact_id", "occurred_on"),
        # One message counts once per person, however often it is read (issue 27).
        Index(
            "ix_interactions_source_key",
            "contact_id",
            "source_key",
            unique=True,
            sqlite_where=text("source_key != ''"),
        ),
        Index("ix_interactions_source", "source", sqlite_where=text("source != ''")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    occurred_on: Mapped[dt.date] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # How it was created: "" typed in (or by Outreach), "mail" read from the user's mail,
    # "linkedin" from LinkedIn's messages.csv, "calendar" from an .ics file.
    source: Mapped[str] = mapped_column(Text, default="", server_default="")
    # What it was read from (a Message-ID, a LinkedIn message), so it is never added twice.
    source_key: Mapped[str] = mapped_column(Text, default="", server_default="")
    contact: Mapped[Contact] = relationship(back_populates="interactions")


class ImportRun(Base):
    """One import, remembered so that it can be undone, even after a restart."""

    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    files: Mapped[str] = mapped_column(Text, default="")  # file names, one a line
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ImportChange(Base):
    """A contact an import created, or changed (with the record as it was before)."""

    __tablename__ = "import_changes"
    __table_args__ = (
        CheckConstraint("kind IN ('created', 'merged')", name="kind"),
        UniqueConstraint("import_id", "contact_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(Text)
    before: Mapped[str | None] = mapped_column(Text)  # JSON of the record, for "merged"


class CardFingerprint(Base):
    """A card already taken in, by its content: importing it again changes nothing."""

    __tablename__ = "card_fingerprints"
    fingerprint: Mapped[str] = mapped_column(Text, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("imports.id", ondelete="SET NULL"), index=True
    )


class DistinctPair(Base):
    """Two contacts the user said are different people: never suggested as duplicates again."""

    __tablename__ = "distinct_pairs"
    __table_args__ = (CheckConstraint("low_id < high_id", name="ordered"),)
    low_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    high_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class FollowUp(Base):
    """Something to do by a day ("send the article"), about a contact or about no one."""

    __tablename__ = "follow_ups"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    due_on: Mapped[dt.date] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Set when an informational interview gave rise to it: a promise made there, or the
    # report back two weeks later (purpose "report_back"; done marks the interview so).
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="SET NULL"), index=True
    )
    purpose: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Set for the 3B7 follow-ups of an outreach message: a reply to it closes them.
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign_recipients.id", ondelete="SET NULL"), index=True
    )


class Setting(Base):
    """The user's preferences that the command line needs too (keep-in-touch intervals)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class Exchange(Base):
    """Give and take with a person: what you asked of them, and what you gave them."""

    __tablename__ = "exchanges"
    __table_args__ = (CheckConstraint("direction IN ('asked', 'gave')", name="direction"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    occurred_on: Mapped[dt.date] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    # For an ask: the thank-you it is owed is not shown on Today before this day (snoozed).
    remind_on: Mapped[dt.date | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class NetworkGroup(Base):
    """A professional association, its local chapter, an online group, a newsletter, an event
    attended, or a place where the user volunteers or sits on a board."""

    __tablename__ = "network_groups"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('association', 'chapter', 'online_group', 'newsletter', 'event',"
            " 'volunteer')",
            name="kind",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    # A chapter's association, an event's organiser.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("network_groups.id", ondelete="SET NULL"), index=True
    )
    held_on: Mapped[dt.date | None] = mapped_column(index=True)  # events
    place: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(Text, default="")
    my_role: Mapped[str] = mapped_column(Text, default="")  # "member", "board: treasurer"
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class MetAt(Base):
    """A person the user met through a group or at an event."""

    __tablename__ = "met_at"
    group_id: Mapped[int] = mapped_column(
        ForeignKey("network_groups.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TargetEmployer(Base):
    """A row of the LAMP list (the 2-Hour Job Search): an employer the user would work for."""

    __tablename__ = "target_employers"
    __table_args__ = (
        CheckConstraint("advocacy IN ('', 'yes', 'no')", name="advocacy"),
        CheckConstraint("motivation BETWEEN 0 AND 5", name="motivation"),
        CheckConstraint("posting BETWEEN 0 AND 3", name="posting"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    match_key: Mapped[str] = mapped_column(Text, default="", index=True)  # normalize.org_key
    advocacy: Mapped[str] = mapped_column(Text, default="")  # "" = from the contacts
    motivation: Mapped[int] = mapped_column(Integer, default=0)  # 0 = not rated yet
    posting: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Interview(Base):
    """An informational interview, from the request to the report back."""

    __tablename__ = "interviews"
    __table_args__ = (
        CheckConstraint(
            "status IN ('to_request', 'requested', 'scheduled', 'done', 'thanked', "
            "'reported_back')",
            name="status",
        ),
        CheckConstraint("length_minutes BETWEEN 15 AND 45", name="length"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    employer_id: Mapped[int | None] = mapped_column(
        ForeignKey("target_employers.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(Text, default="to_request")
    # Wall-clock time in the zone *tz* (an IANA name such as "Europe/Berlin").
    starts_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    tz: Mapped[str] = mapped_column(Text, default="")
    length_minutes: Mapped[int] = mapped_column(Integer, default=20)
    place: Mapped[str] = mapped_column(Text, default="")  # an address or a call link
    found_via: Mapped[str] = mapped_column(Text, default="")
    homework_done: Mapped[str] = mapped_column(Text, default="")  # keys, comma-separated
    homework_notes: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")  # the free note while talking
    debrief: Mapped[str] = mapped_column(Text, default="")  # main points, one a line
    held_on: Mapped[dt.date | None] = mapped_column()
    thank_you_text: Mapped[str] = mapped_column(Text, default="")
    thank_you_sent_on: Mapped[dt.date | None] = mapped_column()
    thank_you_remind_on: Mapped[dt.date | None] = mapped_column()  # snoozed on Today
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class InterviewQuestion(Base):
    """A question planned for one interview, in order, with the note taken on its answer.

    The text is copied from the bank, so editing the bank leaves past interviews as they were.
    """

    __tablename__ = "interview_questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    theme: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")


class BankQuestion(Base):
    """The question bank: a curated set shipped with the app, edited and extended by the user."""

    __tablename__ = "question_bank"
    id: Mapped[int] = mapped_column(primary_key=True)
    theme: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)


class GlossaryTerm(Base):
    """A word of the new field's language, learned in an interview."""

    __tablename__ = "glossary"
    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(Text)
    meaning: Mapped[str] = mapped_column(Text, default="")
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class InterviewReferral(Base):
    """A person the interviewee referred the user to (the contact's introduced_by says so)."""

    __tablename__ = "interview_referrals"
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Campaign(Base):
    """An outreach campaign: one template, rendered into one message per recipient."""

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text, default="announce")
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


RECIPIENT_STATUSES = (
    "draft",
    "held",
    "queued",
    "sending",
    "sent",
    "failed",
    "replied",
    "skipped",
)


class CampaignRecipient(Base):
    """One person in a campaign and the one message they get.

    The status is written before and after each message is handed to the mail server, so a
    send that stops half-way resumes without sending anyone the same message twice.
    """

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        UniqueConstraint("campaign_id", "contact_id"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in RECIPIENT_STATUSES) + ")", name="status"
        ),
        Index("ix_campaign_recipients_status", "campaign_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    email: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(Text, default="draft")
    reason: Mapped[str] = mapped_column(Text, default="")  # why skipped, held or failed
    # The user's hand edit of this one message; None: as the template renders it.
    subject_override: Mapped[str | None] = mapped_column(Text)
    body_override: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    replied_on: Mapped[dt.date | None] = mapped_column()
    meeting_booked: Mapped[bool] = mapped_column(default=False)


class SyncAccount(Base):
    """A CardDAV server the user syncs with (its password is in the OS keyring)."""

    __tablename__ = "sync_accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text)  # as the user typed it
    username: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SyncBook(Base):
    """One address book on a CardDAV server, and where its last sync got to."""

    __tablename__ = "sync_books"
    __table_args__ = (UniqueConstraint("account_id", "url"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("sync_accounts.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)  # absolute
    name: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(default=True)
    sync_token: Mapped[str] = mapped_column(Text, default="")  # RFC 6578; "" when none yet
    last_synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")


class SyncCard(Base):
    """One card of a synced address book and the contact it is.

    *card* is the server's text as of the last sync: the base a three-way merge compares
    both sides against, and what keeps the properties Second Act does not show. *local_hash*
    is the contact as it was then (as its vCard), so a local edit shows as a different hash.
    A contact deleted here leaves the row with no contact: the server's copy is deleted at
    the next sync. *conflict*: the server's newer version, when it and a local edit changed
    the same thing; it waits for the user.
    """

    __tablename__ = "sync_cards"
    __table_args__ = (UniqueConstraint("book_id", "href"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("sync_books.id", ondelete="CASCADE"))
    href: Mapped[str] = mapped_column(Text)  # the card's path on the server
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    etag: Mapped[str] = mapped_column(Text, default="")
    card: Mapped[str] = mapped_column(Text, default="")
    local_hash: Mapped[str] = mapped_column(Text, default="")
    conflict: Mapped[str | None] = mapped_column(Text)
    conflict_etag: Mapped[str] = mapped_column(Text, default="")


# The full-text index behind search (app.services.search), which SQLAlchemy cannot declare:
# an FTS5 table whose rowid is the contact's id. A new database gets it from here (with the
# model's tables, in one step); the revisions made it in their own words (0001, 0009).
CONTACT_SEARCH = (
    "CREATE VIRTUAL TABLE contact_search USING fts5(names, emails, organization, title, note,"
    " tags, other, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2')"
)
