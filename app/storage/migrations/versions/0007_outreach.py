"""outreach: campaigns and their recipients (one message each, with its status), the
contact's opt-out, and the link from a 3B7 follow-up to the message it follows

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 11:04:45

Adding a column to contacts is SQLite's own ALTER TABLE ADD COLUMN: the table (and its 50,000
rows) is not copied.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "campaign_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("subject_override", sa.Text(), nullable=True),
        sa.Column("body_override", sa.Text(), nullable=True),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("replied_on", sa.Date(), nullable=True),
        sa.Column("meeting_booked", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'held', 'queued', 'sending', 'sent', 'failed', 'replied', "
            "'skipped')",
            name=op.f("ck_campaign_recipients_status"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_recipients_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_campaign_recipients_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_recipients")),
        sa.UniqueConstraint(
            "campaign_id", "contact_id", name=op.f("uq_campaign_recipients_campaign_id")
        ),
    )
    with op.batch_alter_table("campaign_recipients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_recipients_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_campaign_recipients_sent_at"), ["sent_at"], unique=False
        )
        batch_op.create_index(
            "ix_campaign_recipients_status", ["campaign_id", "status"], unique=False
        )

    # Not in batch mode: that would copy contacts to a new table and drop the old one, and the
    # drop cascades (ON DELETE) to every follow-up, interaction and interview of every contact.
    op.add_column(
        "contacts",
        sa.Column("outreach_opt_out", sa.Boolean(), server_default=sa.text("0"), nullable=False),
    )

    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_follow_ups_recipient_id"), ["recipient_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_follow_ups_recipient_id_campaign_recipients"),
            "campaign_recipients",
            ["recipient_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_follow_ups_recipient_id_campaign_recipients"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_follow_ups_recipient_id"))
        batch_op.drop_column("recipient_id")

    op.execute("ALTER TABLE contacts DROP COLUMN outreach_opt_out")  # SQLite 3.35+

    with op.batch_alter_table("campaign_recipients", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_recipients_status")
        batch_op.drop_index(batch_op.f("ix_campaign_recipients_sent_at"))
        batch_op.drop_index(batch_op.f("ix_campaign_recipients_contact_id"))

    op.drop_table("campaign_recipients")
    op.drop_table("campaigns")
