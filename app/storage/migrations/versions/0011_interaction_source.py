"""interactions remember how they were made: typed in, or read from mail, LinkedIn, a calendar

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 19:00:00

History read from the user's mail (issue 27) must count each message once however often it
is read, and "Forget mail history" must find what mail added: two columns, added in place
(every interaction typed so far is source ''), and two partial indexes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interactions", recreate="never") as batch:
        batch.add_column(sa.Column("source", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("source_key", sa.Text(), nullable=False, server_default=""))
    op.create_index(
        "ix_interactions_source_key",
        "interactions",
        ["contact_id", "source_key"],
        unique=True,
        sqlite_where=sa.text("source_key != ''"),
    )
    op.create_index(
        "ix_interactions_source", "interactions", ["source"], sqlite_where=sa.text("source != ''")
    )


def downgrade() -> None:
    op.drop_index("ix_interactions_source", table_name="interactions")
    op.drop_index("ix_interactions_source_key", table_name="interactions")
    with op.batch_alter_table("interactions", recreate="never") as batch:
        batch.drop_column("source_key")
        batch.drop_column("source")
