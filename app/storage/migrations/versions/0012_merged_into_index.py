"""an index on contacts.merged_into_id: deleting a contact no longer reads every contact

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 23:10:00

merged_into_id points at contacts (ON DELETE SET NULL): for each contact deleted, SQLite
looked for contacts merged into it by reading the whole table. Undo Import of 5,000 new
people into a book of 50,000 took 52 s (issue 24's bench); deleting 500 contacts took 5.2 s
without this index and 0.05 s with it. It was the one key to contacts without an index.
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_contacts_merged_into_id", "contacts", ["merged_into_id"])


def downgrade() -> None:
    op.drop_index("ix_contacts_merged_into_id", table_name="contacts")
