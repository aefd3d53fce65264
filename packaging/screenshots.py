"""Grab the window in its main states to PNG files (offscreen), for review and the README.

Usage: QT_QPA_PLATFORM=offscreen python packaging/screenshots.py OUTDIR
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QItemSelection, QItemSelectionModel
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.model.records import Birthday, ContactRecord, Labeled, PostalAddress
from app.model.tables import Contact
from app.paths import AppPaths, resolve
from app.services import sending
from app.services.contacts import create_contact
from app.services.interactions import log_interaction
from app.storage.db import Database, open_database
from app.ui.window.application import make_app
from app.ui.window.main_window import MainWindow

FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "Dmitri",
    "Esther",
    "Farid",
    "Grace",
    "Hiroshi",
    "Ines",
    "Jamal",
    "Katarzyna",
    "Liam",
    "Maya",
    "Nkechi",
    "Oscar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tomás",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
    "Zoltán",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Müller",
    "García",
    "Nakamura",
    "O'Brien",
    "Patel",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Van der Berg",
    "Wójcik",
    "Xu",
    "Young",
    "Zimmermann",
]
ORGS = [
    ("Northwind Health", "Healthcare"),
    ("Contoso Software", "Software"),
    ("Fabrikam Manufacturing", "Manufacturing"),
    ("City University", "Education"),
    ("Blue Yonder Energy", "Energy"),
    ("Tailspin Toys", "Retail"),
    ("Woodgrove Bank", "Finance"),
    ("Adventure Works Foundation", "Non-profit"),
]
TITLES = [
    "Product Manager",
    "Research Scientist",
    "UX Designer",
    "Data Analyst",
    "Director of Operations",
    "Nurse Practitioner",
    "Lecturer",
    "Software Engineer",
]


def seed(db_path: Path, n: int = 200) -> None:
    rnd = random.Random(7)
    db = open_database(db_path)
    with db.session() as s:
        for i in range(n):
            first, last = rnd.choice(FIRST), rnd.choice(LAST)
            org, industry = rnd.choice(ORGS)
            r = ContactRecord(
                given_name=first,
                family_name=last,
                organization=org,
                title=rnd.choice(TITLES),
                industry=industry if i % 3 else "",
                emails=[
                    Labeled(
                        f"{first.lower()}.{last.lower().replace(' ', '')}{i}@example.org", "work"
                    )
                ],
                phones=[Labeled(f"+1 555 01{i:02d}", "mobile")] if i % 2 else [],
                tags=["alumni"] if i % 5 == 0 else [],
            )
            if i == 3:
                r.given_name = "Maximiliana Konstantina Alexandra"
                r.family_name = "Featherstonehaugh-Montgomery-Smythe"
                r.organization = "The International Association of Very Long Organisation Names"
                r.title = "Senior Vice President of Strategic Cross-Functional Transformation"
            cid = create_contact(s, r)
            if i % 4 == 0:
                log_interaction(s, cid, dt.date(2026, 1 + i % 10, 1 + i % 27), "coffee")
            elif i % 3 == 1:  # a dormant tie: nothing for more than two years
                log_interaction(s, cid, dt.date(2021 + i % 3, 1 + i % 12, 1 + i % 27), "email")
    db.close()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = make_app()
    with tempfile.TemporaryDirectory() as tmp:
        paths = resolve(Path(tmp) / "empty").ensure()
        db = open_database(paths.database)
        w = MainWindow(db, paths)
        w.resize(1200, 760)
        w.show()
        app.processEvents()
        w.grab().save(str(out / "empty.png"))
        w.tabs.setCurrentWidget(w.interviews)
        app.processEvents()
        w.grab().save(str(out / "interviews-empty.png"))
        w.tabs.setCurrentWidget(w.outreach)
        app.processEvents()
        w.grab().save(str(out / "outreach-empty.png"))
        w.tabs.setCurrentWidget(w.contacts)
        w.close()
        db.close()

        paths = resolve(Path(tmp) / "full").ensure()
        seed(paths.database)
        db = open_database(paths.database)
        w = MainWindow(db, paths)
        w.resize(1200, 760)
        w.show()
        w.tabs.setCurrentWidget(w.contacts)  # the window opens on Today when there are people
        app.processEvents()
        w.contacts.table.selectRow(1)
        app.processEvents()
        w.grab().save(str(out / "list.png"))
        # Several selected: the pane sums them up, with the bulk actions as buttons.
        sm = w.contacts.table.selectionModel()
        sm.select(
            QItemSelection(w.contacts.model.index(1, 0), w.contacts.model.index(8, 0)),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        app.processEvents()
        w.grab().save(str(out / "contacts-several.png"))

        w.contacts.table.selectRow(0)
        app.processEvents()
        ed = w.contacts.editor
        ed.load(
            ContactRecord(
                id=ed.current_id(),
                given_name="Dana",
                family_name="Whitfield",
                organization="Northwind Health",
                title="Clinical Informatics Lead",
                industry="Healthcare",
                emails=[Labeled("dana.whitfield.northwind.org", "work")],
                addresses=[
                    PostalAddress(
                        "work", street="1 Main St", city="Leeds", country="United Kingdom"
                    )
                ],
                birthday=Birthday(3, 14),
            )
        )
        ed.birthday.day.setValue(31)
        ed.birthday.month.setCurrentIndex(2)
        ed.on_save()
        for _ in range(3):
            app.processEvents()
        w.grab().save(str(out / "validation.png"))
        ed.on_revert()  # unsaved changes would stay in the pane through the search
        w.contacts.search.setText("health xu")
        w.contacts.on_search_timeout()
        app.processEvents()
        w.grab().save(str(out / "search.png"))
        w.contacts.search.setText("zzzz-nobody")
        w.contacts.on_search_timeout()
        app.processEvents()
        w.grab().save(str(out / "no-match.png"))
        w.contacts.search.setText("")
        w.contacts.on_search_timeout()
        app.processEvents()
        network_states(app, w, db, out)
        interview_states(app, w, db, out)
        profile_states(app, w, db, out)
        outreach_states(app, w, db, out)
        trust_states(app, w, db, paths, out)
        sync_states(app, w, db, out)
        w.close()
        db.close()


def network_states(app: QApplication, w: MainWindow, db: Database, out: Path) -> None:
    """Today with realistic items, and a contact with a long history, at two sizes."""
    import datetime as dt

    from app.services.followups import add_follow_up
    from app.services.interactions import log_interaction

    today = dt.date.today()
    summaries = [
        ("coffee", "Coffee near her office; she moved from teaching to UX research in 2019"),
        ("email", "Sent the article on service design she asked about"),
        ("call", "Call about the Women in Product chapter meeting"),
        ("event", "Met at the ACM CHI local meetup"),
        ("message", "LinkedIn message: congratulated her on the promotion"),
    ]
    with db.session() as s:
        dana = create_contact(
            s,
            ContactRecord(
                given_name="Dana",
                family_name="Whitfield",
                organization="Northwind Health",
                title="Clinical Informatics Lead",
                tier="A",
                how_met="ACM chapter meeting, March 2024",
                emails=[Labeled("dana.whitfield@northwind.example", "work")],
            ),
        )
        for i in range(40):
            kind, text = summaries[i % len(summaries)]
            log_interaction(s, dana, today - dt.timedelta(days=30 + 17 * i), kind, text)
        add_follow_up(s, dana, today - dt.timedelta(days=2), "Send her my one-page portfolio")
        add_follow_up(s, dana, today + dt.timedelta(days=5), "Ask about the hiring freeze")
        add_follow_up(s, None, today, "Renew the UXPA membership before the chapter event")
        for cid in range(2, 9):
            from app.model.tables import Contact

            c = s.get(Contact, cid)
            if c is not None:
                c.tier = "BCDABCD"[cid - 2]
        add_follow_up(s, 5, today - dt.timedelta(days=9), "Thank him for the introduction to Raj")
        network_data(s, dana, today)
    w.today.refresh()
    w.today.wait()  # Today is read off the GUI thread; processEvents below shows it
    for size, suffix in (((1024, 768), ""), ((1920, 1080), "-hd")):
        w.resize(*size)
        w.tabs.setCurrentWidget(w.today)
        for _ in range(3):
            app.processEvents()
        w.grab().save(str(out / f"today{suffix}.png"))
        w.tabs.setCurrentWidget(w.contacts)
        w.contacts.show_contact(dana)
        for _ in range(3):
            app.processEvents()
        w.grab().save(str(out / f"contact-history{suffix}.png"))
        for tab, name in ((w.network, "map"), (w.employers, "lamp"), (w.groups, "groups")):
            w.tabs.setCurrentWidget(tab)
            w.network.wait()  # the map is counted off the GUI thread
            for _ in range(3):
                app.processEvents()
            w.grab().save(str(out / f"{name}{suffix}.png"))
    w.contacts.set_narrow(None)
    w.tabs.setCurrentWidget(w.network)
    w.network.wait()
    app.processEvents()
    w.network.industries.activated.emit(w.network.industries.bars[0])
    for _ in range(3):
        app.processEvents()
    w.grab().save(str(out / "map-filtered-list.png"))
    w.contacts.set_narrow(None)
    w.resize(1200, 760)
    w.contacts.reload()


def network_data(s: Session, dana: int, today: dt.date) -> None:
    """Give and take, groups and events, a LAMP list and a target industry."""
    from app.services import employers, groups, industries, reciprocity

    reciprocity.record_exchange(
        s, dana, "asked", "introduction", today - dt.timedelta(days=40), "Intro to Raj at Contoso"
    )
    reciprocity.record_exchange(
        s, dana, "gave", "article_or_lead", today - dt.timedelta(days=35), "HIMSS report on EHR"
    )
    reciprocity.record_exchange(s, dana, "gave", "thank_you", today - dt.timedelta(days=39))
    reciprocity.record_exchange(s, 6, "asked", "advice", today - dt.timedelta(days=3), "CV review")
    chi = groups.GroupRecord(kind="association", name="ACM SIGCHI", my_role="member")
    groups.save_group(s, chi)
    chapter = groups.GroupRecord(
        kind="chapter", name="SIGCHI Boston chapter", parent_id=chi.id, place="Boston"
    )
    groups.save_group(s, chapter)
    for name, days, place in (
        ("HIMSS regional meetup", 60, "Hynes Convention Center"),
        ("Women in Product breakfast", 120, "WeWork, Seaport"),
        ("Service Design Drinks", 400, "The Lawn on D"),
    ):
        g = groups.GroupRecord(
            kind="event", name=name, held_on=today - dt.timedelta(days=days), place=place
        )
        groups.save_group(s, g)
        assert g.id is not None
        groups.link(s, g.id, [dana, *range(10 + days % 7, 30 + days % 7, 3)])
    groups.save_group(s, groups.GroupRecord(kind="newsletter", name="Healthcare IT News"))
    groups.save_group(
        s, groups.GroupRecord(kind="volunteer", name="Code for Boston", my_role="Board: treasurer")
    )
    assert chapter.id is not None
    groups.link(s, chapter.id, [dana, 12, 15])
    for name, m, p in (
        ("Northwind Health", 5, 3),
        ("Mass General Brigham", 5, 2),
        ("Contoso Software", 4, 3),
        ("Boston Children's Hospital", 4, 1),
        ("Athenahealth", 3, 3),
        ("Fabrikam Manufacturing", 2, 1),
        ("Woodgrove Bank", 1, 2),
        ("Tailspin Toys", 0, 0),
    ):
        employers.add_employer(s, name, m, p)
    industries.set_target_industry(s, "Healthcare")


def interview_states(app: QApplication, w: MainWindow, db: Database, out: Path) -> None:
    """The interview list, the prep pages, the running view with its clock, and the debrief."""
    import datetime as dt

    from app.services import interviews as iv
    from app.services import question_bank
    from app.ui.interviews.conversation import ConversationDialog

    today = dt.date.today()
    with db.session() as s:
        dana = s.scalars(select(Contact.id).where(Contact.given_name == "Dana")).one()
        bank = {q.text: q for q in question_bank.bank(s)}
        plan = [
            "How did you get into this field?",
            "What does a typical day or week look like for you?",
            "Which of my skills would transfer, and where would I have gaps?",
            "What trends are you seeing in the field right now?",
            "What would you do in my place?",
            "Which terms or abbreviations should I understand before my next conversation?",
            "Is there anything I can do for you?",
        ]
        main = iv.create_interview(
            s,
            iv.InterviewRecord(
                dana,
                status="scheduled",
                starts_at=dt.datetime.combine(today + dt.timedelta(days=2), dt.time(14, 30)),
                tz="America/New_York",
                place="https://meet.example.org/dana-whitfield",
                found_via="association",
                homework_done=frozenset({"background", "news", "story"}),
                homework_notes=(
                    "Dana moved from nursing to clinical informatics in 2016 (LinkedIn).\n"
                    "Northwind Health announced a new EHR rollout in September: "
                    "https://news.example.org/northwind-ehr\n"
                    "My story: 12 years teaching biology, now building data skills (SQL, Tableau)."
                ),
            ),
        )
        iv.set_plan(s, main, [iv.PlannedQuestion(bank[t].theme, t) for t in plan])
        others = [
            (3, "requested", None, 20),
            (4, "to_request", None, 20),
            (6, "done", today - dt.timedelta(days=1), 30),
            (7, "thanked", today - dt.timedelta(days=9), 20),
            (8, "scheduled", today + dt.timedelta(days=6), 25),
        ]
        for cid, status, day, length in others:
            start = dt.datetime.combine(day, dt.time(10, 0)) if day else None
            rec = iv.InterviewRecord(
                cid,
                status="scheduled" if status in ("done", "thanked") else status,
                starts_at=start,
                tz="America/New_York",
                length_minutes=length,
            )
            interview = iv.create_interview(s, rec)
            if status in ("done", "thanked") and day is not None:
                iv.set_plan(s, interview, [iv.PlannedQuestion(bank[t].theme, t) for t in plan[:5]])
                iv.mark_held(s, interview, day)
                if status == "thanked":
                    iv.mark_thank_you_sent(s, interview, day + dt.timedelta(days=1))
        debriefed = iv.list_interviews(s, "done")[0].id
        iv.save_conversation(
            s,
            debriefed,
            "Generous with time. Mentioned the HIMSS chapter twice.",
            [
                "Started as a nurse; a data project on her ward got her noticed.",
                "Mostly meetings with clinicians and vendors; two days a week on dashboards.",
                "Teaching transfers well (training clinicians); SQL is a must, Python a plus.",
                "Interoperability (FHIR) and AI scribes.",
                "Volunteer on a data project first; write up one case study.",
            ],
        )
        record = iv.get_interview(s, debriefed).record
        record.debrief = (
            "- Volunteer on a data project first, then write it up as a case study\n"
            "- The HIMSS local chapter is where hiring managers go\n"
            "- Learn FHIR basics before talking to vendors"
        )
        iv.update_interview(s, record)
        iv.add_term(s, "FHIR", "Fast Healthcare Interoperability Resources", debriefed)
        iv.add_term(s, "EHR", "Electronic health record", debriefed)
        iv.add_term(s, "CMIO", "Chief medical information officer", debriefed)
        iv.add_referral(
            s,
            debriefed,
            ContactRecord(full_name="Priya Raman", organization="Mass General Brigham"),
        )
        iv.add_promise(s, debriefed, True, "send her the teaching-analytics article", today)
        iv.add_promise(s, debriefed, False, "introduce me to the CMIO", today + dt.timedelta(7))
        iv.set_my_name(s, "Sam Okafor")
        draft = iv.draft_thank_you(s, debriefed)
        record = iv.get_interview(s, debriefed).record
        record.thank_you_text = draft
        iv.update_interview(s, record)
    w.resize(1024, 768)
    w.tabs.setCurrentWidget(w.interviews)
    w.interviews.refresh(main)
    for index, name in ((0, "interviews"), (1, "interview-homework"), (2, "interview-questions")):
        w.interviews.page.pages.setCurrentIndex(index)
        for _ in range(3):
            app.processEvents()
        w.grab().save(str(out / f"{name}.png"))
    with db.session() as s:
        detail = iv.get_interview(s, main)
    clock = [0.0]
    talk = ConversationDialog(detail, w, now=lambda: clock[0])
    talk.resize(1024, 720)
    talk.notes[0].setPlainText("Nursing, then a data project on her ward; informatics in 2016.")
    talk.notes[1].setPlainText("Half meetings with clinicians, half building dashboards.")
    talk.show()
    clock[0] = 16 * 60 + 20  # four minutes left: amber
    talk.tick()
    for _ in range(3):
        app.processEvents()
    talk.grab().save(str(out / "interview-running.png"))
    clock[0] = 21 * 60
    talk.tick()
    app.processEvents()
    talk.clock.grab().save(str(out / "interview-clock-over.png"))
    talk.timer.stop()
    talk.hide()
    w.interviews.refresh(debriefed)
    w.interviews.page.pages.setCurrentIndex(3)
    for _ in range(3):
        app.processEvents()
    w.grab().save(str(out / "interview-debrief.png"))
    scroll = w.interviews.page.pages.currentWidget()
    scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())  # type: ignore[attr-defined]
    app.processEvents()
    w.grab().save(str(out / "interview-thank-you.png"))
    w.today.refresh()
    w.tabs.setCurrentWidget(w.today)
    app.processEvents()
    w.grab().save(str(out / "today-interviews.png"))
    w.tabs.setCurrentWidget(w.contacts)
    w.contacts.show_contact(dana)
    for _ in range(3):
        app.processEvents()
    w.grab().save(str(out / "contact-interviews.png"))
    w.contacts.activity.grab().save(str(out / "contact-pane-interviews.png"))
    w.resize(1200, 760)


def profile_states(app: QApplication, w: MainWindow, db: Database, out: Path) -> None:
    """The user's profile, their card's QR code, the story in the homework, and the prep
    sheet's page as printed (rendered from the PDF by PDFium, a test dependency)."""
    import pypdfium2 as pdfium

    from app.services import interviews as iv
    from app.services import profile
    from app.ui.common.profile import CardDialog, ProfileDialog
    from tests.pdfpage import page_image

    me = profile.Profile(
        given_name="Sam",
        family_name="Okafor",
        emails=("sam.okafor@example.org",),
        phone="+1 555 0142",
        linkedin="https://www.linkedin.com/in/sam-okafor",
        target_field="Health informatics",
        headline="Biology teacher moving into health informatics",
        story=(
            "I taught biology for twelve years, and the part I loved most was turning messy "
            "class data into decisions: who needed help, which lessons worked. I have since "
            "learned SQL and Tableau and built a dashboard for our district's attendance. "
            "Now I want to bring that to healthcare, where the same questions decide how "
            "patients are cared for."
        ),
    )
    with db.session() as s:
        profile.save_profile(s, me)
    for _ in range(3):
        app.processEvents()
    dialog = ProfileDialog(me, first_use=False, parent=w)
    dialog.resize(640, 560)
    dialog.show()
    app.processEvents()
    dialog.grab().save(str(out / "profile.png"))
    dialog.close()
    card = CardDialog(me, w)
    card.show()
    app.processEvents()
    card.grab().save(str(out / "profile-card.png"))
    card.close()
    with db.session() as s:
        main = iv.list_interviews(s, "scheduled")[0].id
    w.tabs.setCurrentWidget(w.interviews)
    w.interviews.refresh(main)
    w.interviews.page.pages.setCurrentIndex(1)
    for _ in range(3):
        app.processEvents()
    w.grab().save(str(out / "interview-homework.png"))
    target = out / "prep-sheet.pdf"
    w.interview_actions.save_path = lambda *_a: target  # type: ignore[method-assign]
    w.interview_actions.save_prep_sheet(main)
    page = pdfium.PdfDocument(target.read_bytes())[0]
    page_image(page, 110).save(str(out / "prep-sheet.png"))
    target.unlink()
    # The question when a server of one's own shows a certificate this computer does not
    # trust (a private CA made by trustme, a test dependency).
    import ssl as ssl_module

    import trustme

    from app.services import trust
    from app.ui.common.trust import trust_box

    leaf = trustme.CA().issue_cert("mail.example.org")
    der = ssl_module.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode())
    box = trust_box(w, trust.Certificate("mail.example.org", 587, der))
    box.show()
    app.processEvents()
    box.grab().save(str(out / "trust-prompt.png"))
    box.close()


def outreach_states(app: QApplication, w: MainWindow, db: Database, out: Path) -> None:
    """At 1024×768: the editor with its checker (fine, then faulted), the recipients, the
    preview, the mail account, sending in progress with the results."""
    from sqlalchemy import delete

    from app.model.tables import CampaignRecipient, ContactEmail
    from app.services import interviews as iv
    from app.services import mail, outreach
    from app.ui.outreach.dialogs import MailAccountDialog
    from app.ui.outreach.pages import SendPage

    def settle() -> None:
        for _ in range(3):
            app.processEvents()

    w.resize(1024, 768)
    with db.session() as s:
        iv.set_my_name(s, "Dana Whitfield")
        cid = outreach.create_campaign(
            s, replace(outreach.starter("announce"), name="Announcing my move")
        )
        people = list(s.scalars(select(Contact.id).order_by(Contact.id).limit(24)))
        s.execute(delete(ContactEmail).where(ContactEmail.contact_id == people[5]))
        outreach.add_recipients(s, cid, people)
        outreach.queue(s, cid)
        ids = list(
            s.scalars(
                select(CampaignRecipient.id)
                .where(CampaignRecipient.status == "queued")
                .order_by(CampaignRecipient.position)
            )
        )
        start = dt.datetime.combine(dt.date.today() - dt.timedelta(days=6), dt.time(9))
        for n, rid in enumerate(ids[:9]):
            outreach.record_sent(s, rid, start + dt.timedelta(minutes=2 * n), "News from me")
        for rid in ids[:3]:
            outreach.mark_replied(s, rid, dt.date.today() - dt.timedelta(days=4), rid == ids[0])
    w.tabs.setCurrentWidget(w.outreach)
    w.outreach_actions.refresh(cid)
    w.outreach.pages.setCurrentWidget(w.outreach.message)
    settle()
    w.grab().save(str(out / "outreach-editor.png"))
    page = w.outreach.message
    body = page.body.toPlainText()
    page.body.setPlainText(
        "Hi {{ first_name }},\n\nI am looking for a job in healthcare and I would like to "
        "send you my CV. I have fifteen years of experience in my field.\n\nBest,\nDana\n"
    )
    page.run_checker()
    settle()
    w.grab().save(str(out / "outreach-checker-faults.png"))
    page.body.setPlainText(body)
    page.flush()
    w.outreach.pages.setCurrentWidget(w.outreach.recipients)
    settle()
    w.grab().save(str(out / "outreach-recipients.png"))
    w.outreach.pages.setCurrentWidget(w.outreach.preview)
    w.outreach.preview.show_at(9)
    settle()
    w.grab().save(str(out / "outreach-preview.png"))
    dialog = MailAccountDialog(None, sending.Pace(), False, "Dana Whitfield", w)
    dialog.preset.setCurrentIndex(0)
    dialog.address.setText("dana.whitfield@gmail.com")
    dialog.username.setText("dana.whitfield@gmail.com")
    dialog._show_result(
        mail.explain(
            __import__("smtplib").SMTPAuthenticationError(
                535, b"5.7.8 Username and Password not accepted"
            ),
            dialog.account(),
        )
    )
    dialog.show()
    settle()
    dialog.grab().save(str(out / "outreach-account.png"))
    dialog.close()
    with db.session() as s:  # sending happens from an account: the page says which
        mail.save_account(
            s,
            mail.MailAccount(
                "smtp.gmail.com",
                465,
                mail.SSL,
                "dana.whitfield@gmail.com",
                "dana.whitfield@gmail.com",
                "Dana Whitfield",
            ),
        )
    w.outreach_actions.refresh(cid)
    w.outreach.pages.setCurrentWidget(w.outreach.send)
    send: SendPage = w.outreach.send
    send.set_running(True)
    send.show_progress(9, 22, "Waiting 74 seconds before the next message (the throttle).")
    settle()
    w.grab().save(str(out / "outreach-send.png"))
    send.set_running(False)
    w.resize(1200, 760)


def trust_states(
    app: QApplication, w: MainWindow, db: Database, paths: AppPaths, out: Path
) -> None:
    """Possible duplicates, the import report's choices, restore, a damaged file, HTML text."""
    from app.services.importing import import_files, parse_bytes
    from app.ui.common.text import message_box
    from app.ui.contacts.duplicates_dialog import DuplicatesDialog
    from app.ui.window.backup_dialog import RestoreDialog
    from app.ui.window.import_dialogs import report_dialog

    def grab(widget: QWidget, name: str, size: tuple[int, int] | None = None) -> None:
        if size:
            widget.resize(*size)
        widget.show()
        for _ in range(3):
            app.processEvents()
        widget.grab().save(str(out / name))

    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:John Smith\r\nORG:IBM\r\n"
        "TITLE:{title}\r\nEMAIL:{email}\r\nEND:VCARD\r\n"
    )
    data = card.format(uid="u1", title="Engineer", email="john.s@ibm.example") + card.format(
        uid="u2", title="Sales Director", email="jsmith@ibm.example"
    )
    with db.session() as s:
        report = import_files(s, [parse_bytes(data.encode(), "outlook-export.vcf")])
    w.contacts.reload()
    app.processEvents()
    w.grab().save(str(out / "duplicates-button.png"))
    dialog = report_dialog(report, w)
    grab(dialog, "import-report.png")
    dialog.close()
    review = DuplicatesDialog(db, w)
    grab(review, "duplicates.png", (1024, 640))
    review.close()
    db.backup("daily")
    db.backup("before-import")
    restore = RestoreDialog(paths.backups, "Choose the copy to go back to.", w)
    grab(restore, "restore.png")
    restore.close()
    box = message_box(
        None,
        "Second Act: your contacts file is damaged",
        f"{paths.database} is damaged (SQLite's check says: *** in database main *** Page "
        "1234: btreeInitPage() returns error code 11). Second Act will not write to it, so "
        "nothing more is lost.\n\nYou can go back to a backup now. The damaged file is "
        "kept, not deleted.",
    )
    box.addButton("Restore from Backup…", QMessageBox.ButtonRole.AcceptRole)
    box.button(QMessageBox.StandardButton.Ok).setText("Quit")
    grab(box, "damaged.png")
    box.close()
    html = "<b>Bold</b> <font color=red size=7>Eve</font>"
    with db.session() as s:
        cid = create_contact(
            s, ContactRecord(full_name=html, organization=html, emails=[Labeled("eve@x.org")])
        )
    w.contacts.reload(cid)
    app.processEvents()
    w.grab().save(str(out / "html-name.png"))


def sync_states(app: QApplication, w: MainWindow, db: Database, out: Path) -> None:
    """The account set-up (a failure, then the books found), the status line and toolbar,
    and the conflict view side by side. No server is asked: what it would answer is shown."""
    from app.model.tables import SyncBook
    from app.services import carddav, sync
    from app.services.contacts import list_contact_ids
    from app.ui.sync.controller import account_rows
    from app.ui.sync.dialogs import AccountsDialog, ConflictsDialog, SyncAccountDialog

    def settle() -> None:
        for _ in range(3):
            app.processEvents()

    w.resize(1024, 768)
    dialog = SyncAccountDialog(w)
    dialog.url.setText("https://cloud.example.org/remote.php/dav")
    dialog.username.setText("dana")
    dialog.password.setText("app-password")
    dialog.show()
    dialog._show_found(
        "cloud.example.org refused the user name or password. Some services (iCloud, "
        "Fastmail) need an app-specific password rather than your usual one."
    )
    settle()
    dialog.grab().save(str(out / "sync-account-failed.png"))
    books = [
        carddav.BookInfo("https://cloud.example.org/dav/dana/contacts/", "Contacts", True),
        carddav.BookInfo("https://cloud.example.org/dav/dana/work/", "Work colleagues", True),
    ]
    dialog._show_found(books)
    settle()
    dialog.grab().save(str(out / "sync-account.png"))
    dialog.close()
    with db.session() as s:
        sync.add_account(s, "https://cloud.example.org/remote.php/dav", "dana", books[:1])
        for b in s.scalars(select(SyncBook)):
            b.last_synced_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, second=0)
        first = list_contact_ids(s)[3]
        name = sync.get_contact(s, first).display_name
    w.sync.refresh_status()
    w.statusBar().showMessage(
        "Sync: here: 3 added, 12 changed, 0 deleted; on the server: 1 added, 2 changed, 0 deleted.",
        0,
    )
    w.tabs.setCurrentWidget(w.contacts)
    settle()
    w.grab().save(str(out / "sync-status.png"))
    accounts = AccountsDialog(w)
    with db.session() as s:
        accounts.set_accounts(account_rows(s))
    accounts.show()
    settle()
    accounts.grab().save(str(out / "sync-accounts.png"))
    accounts.close()
    conflicts = ConflictsDialog(w)
    conflicts.set_conflicts(
        [
            (
                1,
                name,
                [
                    ("Title", "Head of Partnerships", "Director, Partnerships"),
                    ("Phone", "+1 555 0103\n+44 20 7946 0958", "+1 555 0103"),
                    ("Note", "Met at the alumni dinner; knows the museum's board.", ""),
                ],
            ),
            (2, "Ann Lee", [("Email", "ann@lee.example", "ann.lee@museum.example")]),
        ]
    )
    conflicts.show()
    settle()
    conflicts.grab().save(str(out / "sync-conflicts.png"))
    conflicts.close()


if __name__ == "__main__":
    # Run as a script (packaging/ first on the path): the prep sheet's page is drawn by the
    # tests' PDF helper (tests/pdfpage.py), found from the checkout's top.
    sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots"))
