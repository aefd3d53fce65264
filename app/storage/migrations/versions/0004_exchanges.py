"""the network at work, second part: give and take, groups and events, the LAMP list

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 06:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "exchanges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("remind_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("direction IN ('asked', 'gave')", name=op.f("ck_exchanges_direction")),
        _fk("exchanges", "contact_id", "contacts", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchanges")),
    )
    op.create_index(op.f("ix_exchanges_contact_id"), "exchanges", ["contact_id"], unique=False)

    op.create_table(
        "network_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("my_role", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('association', 'chapter', 'online_group', 'newsletter', 'event',"
            " 'volunteer')",
            name=op.f("ck_network_groups_kind"),
        ),
        _fk("network_groups", "parent_id", "network_groups", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_groups")),
    )
    op.create_index(
        op.f("ix_network_groups_parent_id"), "network_groups", ["parent_id"], unique=False
    )
    op.create_index(op.f("ix_network_groups_held_on"), "network_groups", ["held_on"], unique=False)

    op.create_table(
        "met_at",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["network_groups.id"],
            name=op.f("fk_met_at_group_id_network_groups"),
            ondelete="CASCADE",
        ),
        _fk("met_at", "contact_id", "contacts", "CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "contact_id", name=op.f("pk_met_at")),
    )
    op.create_index(op.f("ix_met_at_contact_id"), "met_at", ["contact_id"], unique=False)

    op.create_table(
        "target_employers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("match_key", sa.Text(), nullable=False),
        sa.Column("advocacy", sa.Text(), nullable=False),
        sa.Column("motivation", sa.Integer(), nullable=False),
        sa.Column("posting", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "advocacy IN ('', 'yes', 'no')", name=op.f("ck_target_employers_advocacy")
        ),
        sa.CheckConstraint(
            "motivation BETWEEN 0 AND 5", name=op.f("ck_target_employers_motivation")
        ),
        sa.CheckConstraint("posting BETWEEN 0 AND 3", name=op.f("ck_target_employers_posting")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_employers")),
    )
    op.create_index(
        op.f("ix_target_employers_match_key"), "target_employers", ["match_key"], unique=False
    )
    # The network map groups by industry: one index answers it.
    op.create_index(op.f("ix_contacts_industry"), "contacts", ["industry"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_contacts_industry"), table_name="contacts")
    op.drop_table("target_employers")
    op.drop_table("met_at")
    op.drop_table("network_groups")
    op.drop_table("exchanges")
