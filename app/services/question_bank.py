"""The question bank for informational interviews: shipped questions, the user's own, by theme.

TIARA (Trends, Insights, Advice, Resources, Assignments) comes first, then the themes career
changers ask about most. The shipped set is written for someone moving into a new field; the
user edits and extends it, and each interview copies the questions it plans (so editing the
bank never rewrites an interview that has happened).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.model.tables import BankQuestion
from app.services import settings

RESOURCES = "Resources"  # the theme of "who else should I talk to?"

THEMES: list[str] = [
    "Trends",
    "Insights",
    "Advice",
    RESOURCES,
    "Assignments",
    "The path in",
    "A typical day",
    "Skills and gaps",
    "The field's language",
    "Outlook",
]

SHIPPED: dict[str, list[str]] = {
    "Trends": [
        "What trends are you seeing in the field right now?",
        "What is changing in how your organisation does this work?",
        "Which new tools or methods are people in your role learning?",
        "What do you think the field will look like in five years?",
    ],
    "Insights": [
        "What surprised you most when you started in this role?",
        "What do people outside the field most often get wrong about it?",
        "What do you wish you had known before you moved into this work?",
        "What makes someone really good at this job, beyond the job description?",
        "What is the hardest part of your work, and what keeps you in it?",
    ],
    "Advice": [
        "What would you do in my place?",
        "Given my background, where do you think I could add value soonest?",
        "What would make my story more convincing to someone hiring in this field?",
        "Which parts of my experience should I lead with, and which play down?",
        "If you were changing into this field today, what would you do first?",
    ],
    RESOURCES: [
        "Who else should I talk to?",
        "Would you be comfortable introducing me to one of them?",
        "What should I read, follow or subscribe to, to keep up with the field?",
        "Which associations, meetups or conferences are worth joining?",
        "Which organisations do you admire, and why?",
    ],
    "Assignments": [
        "Is there anything I can do for you?",
        "Is there a small project or course that would show I can do this work?",
        "What would you expect someone to have done before taking a first role here?",
        "Could I share something useful with you in return, an article or an introduction?",
    ],
    "The path in": [
        "How did you get into this field?",
        "What did your path look like before this role?",
        "How did you present your earlier experience when you moved?",
        "For someone leaving academia, what translated and what had to be relearned?",
        "What would you do differently if you started again?",
    ],
    "A typical day": [
        "What does a typical day or week look like for you?",
        "Who do you work with most closely, inside and outside the organisation?",
        "How is success measured in your role?",
        "What part of your day do you enjoy most, and which least?",
    ],
    "Skills and gaps": [
        "Which skills do you use every day?",
        "Which skills did you lack when you moved in, and how did you build them?",
        "Which of my skills would transfer, and where would I have gaps?",
        "Which certifications or courses matter here, and which do not?",
        "How do people in this field keep learning?",
    ],
    "The field's language": [
        "Which terms or abbreviations should I understand before my next conversation?",
        "How would you describe this role to someone from my old field?",
        "What are the job titles for this work at different organisations?",
    ],
    "Outlook": [
        "Where do people in this role usually go next?",
        "Which related roles should I look at too?",
        "How do people usually find openings in this field?",
        "Is it growing here, and where is the demand coming from?",
    ],
}

_SEEDED = "question_bank.seeded"


@dataclass(frozen=True)
class Question:
    id: int
    theme: str
    text: str


def ensure_bank(session: Session) -> None:
    """Fill the bank with the shipped questions once; the user's edits are never overwritten."""
    if settings.get(session, _SEEDED):
        return
    if not session.scalar(select(func.count()).select_from(BankQuestion)):
        position = 0
        for theme in THEMES:
            for text in SHIPPED[theme]:
                session.add(BankQuestion(theme=theme, text=text, position=position))
                position += 1
    settings.put(session, _SEEDED, "1")
    session.flush()


def bank(session: Session) -> list[Question]:
    """Every question, by theme (TIARA first), in the order the user keeps them."""
    ensure_bank(session)
    order = {t: i for i, t in enumerate(THEMES)}
    rows = list(
        session.execute(
            select(BankQuestion.id, BankQuestion.theme, BankQuestion.text, BankQuestion.position)
        )
    )
    rows.sort(key=lambda r: (order.get(r.theme, len(THEMES)), r.theme, r.position, r.id))
    return [Question(r.id, r.theme, r.text) for r in rows]


def _check(theme: str, text: str) -> tuple[str, str]:
    theme, text = " ".join(theme.split()), " ".join(text.split())
    if not text:
        raise ValueError("Write the question.")
    return theme or "My questions", text


def add_question(session: Session, theme: str, text: str) -> int:
    theme, text = _check(theme, text)
    last = session.scalar(select(func.max(BankQuestion.position))) or 0
    q = BankQuestion(theme=theme, text=text, position=last + 1)
    session.add(q)
    session.flush()
    return q.id


def update_question(session: Session, question_id: int, theme: str, text: str) -> Question:
    """Reword or move a question; returns it as it was, for Undo."""
    theme, text = _check(theme, text)
    q = session.get(BankQuestion, question_id)
    if q is None:
        raise LookupError(f"question {question_id} is gone")
    before = Question(q.id, q.theme, q.text)
    q.theme, q.text = theme, text
    return before


def delete_question(session: Session, question_id: int) -> tuple[Question, int]:
    """Remove a question from the bank; returns it and its place, for Undo."""
    q = session.get(BankQuestion, question_id)
    if q is None:
        raise LookupError(f"question {question_id} is gone")
    kept = (Question(q.id, q.theme, q.text), q.position)
    session.execute(delete(BankQuestion).where(BankQuestion.id == question_id))
    return kept


def restore_question(session: Session, kept: tuple[Question, int]) -> None:
    q, position = kept
    session.add(BankQuestion(id=q.id, theme=q.theme, text=q.text, position=position))
    session.flush()
