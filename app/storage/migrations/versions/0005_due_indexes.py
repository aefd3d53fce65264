"""indexes for Today at 50,000 contacts: tiered contacts found by index, deleted ones only

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:20:00

The index on contacts.deleted_at held every contact (nearly all NULL), and SQLite chose it for
"deleted_at IS NULL", walking all 50,000 contacts to find the 500 with a keep-in-touch tier or
the 25 with an ask. It now holds only deleted contacts (what Trash and purging look for), and
the tier has its own index.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_contacts_deleted_at", table_name="contacts")
    op.create_index(
        "ix_contacts_deleted_at",
        "contacts",
        ["deleted_at"],
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
    )
    op.create_index("ix_contacts_tier", "contacts", ["tier"])


def downgrade() -> None:
    op.drop_index("ix_contacts_tier", table_name="contacts")
    op.drop_index("ix_contacts_deleted_at", table_name="contacts")
    op.create_index("ix_contacts_deleted_at", "contacts", ["deleted_at"])
