"""follow-ups, settings, keep-in-touch snooze, organisation match keys, last-contact index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 06:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contacts", sa.Column("touch_snoozed_until", sa.Date(), nullable=True))
    op.add_column(
        "organizations", sa.Column("match_key", sa.Text(), nullable=False, server_default="")
    )
    # org_key as it is at this revision; a later change of the rule brings its own revision.
    from app.model.normalize import org_key

    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name FROM organizations")).all()
    if rows:
        conn.execute(
            sa.text("UPDATE organizations SET match_key = :key WHERE id = :id"),
            [{"id": i, "key": org_key(name or "")} for i, name in rows],
        )
    op.create_index("ix_organizations_match_key", "organizations", ["match_key"], unique=False)
    op.create_index(
        "ix_interactions_contact_day", "interactions", ["contact_id", "occurred_on"], unique=False
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_follow_ups_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    op.create_index(op.f("ix_follow_ups_contact_id"), "follow_ups", ["contact_id"], unique=False)
    op.create_index(op.f("ix_follow_ups_due_on"), "follow_ups", ["due_on"], unique=False)
    op.create_table(
        "settings",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )


def downgrade() -> None:
    op.drop_table("settings")
    op.drop_table("follow_ups")
    op.drop_index("ix_interactions_contact_day", table_name="interactions")
    op.execute("ALTER TABLE contacts DROP COLUMN touch_snoozed_until")
    op.drop_index("ix_organizations_match_key", table_name="organizations")
    op.execute("ALTER TABLE organizations DROP COLUMN match_key")
