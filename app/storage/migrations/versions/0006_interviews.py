"""interview prep: interviews, their planned questions, the question bank, the glossary,
referrals, and follow-ups that an interview gave rise to

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 09:13:31

The question bank is filled with the shipped questions by the app (services.question_bank), not
here, so that its wording can improve in a release without a migration.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_bank",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_bank")),
    )
    op.create_table(
        "interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=True),
        sa.Column("tz", sa.Text(), nullable=False),
        sa.Column("length_minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("found_via", sa.Text(), nullable=False),
        sa.Column("homework_done", sa.Text(), nullable=False),
        sa.Column("homework_notes", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("debrief", sa.Text(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("thank_you_text", sa.Text(), nullable=False),
        sa.Column("thank_you_sent_on", sa.Date(), nullable=True),
        sa.Column("thank_you_remind_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('to_request', 'requested', 'scheduled', 'done', 'thanked', "
            "'reported_back')",
            name=op.f("ck_interviews_status"),
        ),
        sa.CheckConstraint("length_minutes BETWEEN 15 AND 45", name=op.f("ck_interviews_length")),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_interviews_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["target_employers.id"],
            name=op.f("fk_interviews_employer_id_target_employers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interviews")),
    )
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interviews_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_interviews_employer_id"), ["employer_id"], unique=False
        )

    op.create_table(
        "glossary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("meaning", sa.Text(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_glossary_interview_id_interviews"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_glossary")),
    )
    with op.batch_alter_table("glossary", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_glossary_interview_id"), ["interview_id"], unique=False
        )

    op.create_table(
        "interview_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("theme", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_interview_questions_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_questions")),
    )
    with op.batch_alter_table("interview_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interview_questions_interview_id"), ["interview_id"], unique=False
        )

    op.create_table(
        "interview_referrals",
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_interview_referrals_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_interview_referrals_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("interview_id", "contact_id", name=op.f("pk_interview_referrals")),
    )
    with op.batch_alter_table("interview_referrals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interview_referrals_contact_id"), ["contact_id"], unique=False
        )

    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("interview_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("purpose", sa.Text(), server_default="", nullable=False))
        batch_op.create_index(
            batch_op.f("ix_follow_ups_interview_id"), ["interview_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_follow_ups_interview_id_interviews"),
            "interviews",
            ["interview_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_follow_ups_interview_id_interviews"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_follow_ups_interview_id"))
        batch_op.drop_column("purpose")
        batch_op.drop_column("interview_id")

    with op.batch_alter_table("interview_referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_referrals_contact_id"))

    op.drop_table("interview_referrals")
    with op.batch_alter_table("interview_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_questions_interview_id"))

    op.drop_table("interview_questions")
    with op.batch_alter_table("glossary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_glossary_interview_id"))

    op.drop_table("glossary")
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interviews_employer_id"))
        batch_op.drop_index(batch_op.f("ix_interviews_contact_id"))

    op.drop_table("interviews")
    op.drop_table("question_bank")
