"""carddav: sync accounts, their address books, and each synced card's link to a contact

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 00:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_accounts")),
    )
    op.create_table(
        "sync_books",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("sync_token", sa.Text(), nullable=False),
        sa.Column("last_synced_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["sync_accounts.id"],
            name=op.f("fk_sync_books_account_id_sync_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_books")),
        sa.UniqueConstraint("account_id", "url", name=op.f("uq_sync_books_account_id")),
    )
    op.create_table(
        "sync_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=False),
        sa.Column("card", sa.Text(), nullable=False),
        sa.Column("local_hash", sa.Text(), nullable=False),
        sa.Column("conflict", sa.Text(), nullable=True),
        sa.Column("conflict_etag", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["sync_books.id"],
            name=op.f("fk_sync_cards_book_id_sync_books"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_sync_cards_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_cards")),
        sa.UniqueConstraint("book_id", "href", name=op.f("uq_sync_cards_book_id")),
    )
    with op.batch_alter_table("sync_cards") as batch:
        batch.create_index(batch.f("ix_sync_cards_contact_id"), ["contact_id"], unique=False)


def downgrade() -> None:
    op.drop_table("sync_cards")
    op.drop_table("sync_books")
    op.drop_table("sync_accounts")
