"""case-folded keys for names; person_key; import journal; fingerprints; distinct pairs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 06:10:00

Organisation and tag names were told apart two ways (SQLite's NOCASE, which folds ASCII only,
and Python's casefold); now a name_key column holds the one rule. Names that the new rule
finds equal ("Müller GmbH" and "MÜLLER GMBH") are merged into the oldest row, with every
contact and tag link moved to it, so no contact loses its organisation or a tag.

The tables are altered with ADD COLUMN and CREATE INDEX, not rebuilt: rebuilding a table
that contacts point to would run its ON DELETE SET NULL on every contact.
"""

import unicodedata
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _key(name: str) -> str:
    # The same rule as app.model.tables.name_key, frozen here as this revision applies it.
    return " ".join(name.casefold().split())


def _fold(conn: sa.Connection, table: str) -> None:
    rows = conn.execute(sa.text(f"SELECT id, name FROM {table} ORDER BY id")).all()
    groups: dict[str, list[int]] = defaultdict(list)
    for row_id, name in rows:
        groups[_key(name or "")].append(row_id)
    for key, ids in groups.items():
        keeper, others = ids[0], ids[1:]
        for other in others:
            if table == "organizations":
                conn.execute(
                    sa.text(
                        "UPDATE organizations SET industry = (SELECT industry FROM organizations"
                        " WHERE id = :other) WHERE id = :keeper AND industry = ''"
                    ),
                    {"keeper": keeper, "other": other},
                )
                conn.execute(
                    sa.text(
                        "UPDATE contacts SET organization_id = :keeper"
                        " WHERE organization_id = :other"
                    ),
                    {"keeper": keeper, "other": other},
                )
            else:
                conn.execute(
                    sa.text(
                        "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id)"
                        " SELECT contact_id, :keeper FROM contact_tags WHERE tag_id = :other"
                    ),
                    {"keeper": keeper, "other": other},
                )
                conn.execute(
                    sa.text("DELETE FROM contact_tags WHERE tag_id = :other"), {"other": other}
                )
            conn.execute(sa.text(f"DELETE FROM {table} WHERE id = :other"), {"other": other})
        conn.execute(
            sa.text(f"UPDATE {table} SET name_key = :key WHERE id = :id"),
            {"key": key, "id": keeper},
        )


def _person_key(full: str, given: str, family: str) -> str:
    # As app.model.normalize.person_key applies it at this revision.
    name = " ".join(x.strip() for x in (given, family) if x.strip()) or full
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def upgrade() -> None:
    conn = op.get_bind()
    op.add_column("contacts", sa.Column("person_key", sa.Text(), nullable=False, server_default=""))
    rows = conn.execute(sa.text("SELECT id, full_name, given_name, family_name FROM contacts"))
    keys = [{"id": i, "key": _person_key(f, g, fam)} for i, f, g, fam in rows]
    if keys:
        conn.execute(sa.text("UPDATE contacts SET person_key = :key WHERE id = :id"), keys)
    op.create_index("ix_contacts_person_key", "contacts", ["person_key"], unique=False)
    for table in ("organizations", "tags"):
        op.add_column(table, sa.Column("name_key", sa.Text(), nullable=False, server_default=""))
        _fold(conn, table)
        op.create_index(f"ix_{table}_name_key", table, ["name_key"], unique=True)

    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_table(
        "import_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('created', 'merged')", name=op.f("ck_import_changes_kind")),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_import_changes_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name=op.f("fk_import_changes_import_id_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_changes")),
        sa.UniqueConstraint("import_id", "contact_id", name=op.f("uq_import_changes_import_id")),
    )
    op.create_index(
        op.f("ix_import_changes_contact_id"), "import_changes", ["contact_id"], unique=False
    )
    op.create_table(
        "card_fingerprints",
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_card_fingerprints_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name=op.f("fk_card_fingerprints_import_id_imports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_card_fingerprints")),
    )
    op.create_index(
        op.f("ix_card_fingerprints_contact_id"), "card_fingerprints", ["contact_id"], unique=False
    )
    op.create_index(
        op.f("ix_card_fingerprints_import_id"), "card_fingerprints", ["import_id"], unique=False
    )
    op.create_table(
        "distinct_pairs",
        sa.Column("low_id", sa.Integer(), nullable=False),
        sa.Column("high_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("low_id < high_id", name=op.f("ck_distinct_pairs_ordered")),
        sa.ForeignKeyConstraint(
            ["high_id"],
            ["contacts.id"],
            name=op.f("fk_distinct_pairs_high_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["low_id"],
            ["contacts.id"],
            name=op.f("fk_distinct_pairs_low_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("low_id", "high_id", name=op.f("pk_distinct_pairs")),
    )
    op.create_index(op.f("ix_distinct_pairs_high_id"), "distinct_pairs", ["high_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_contacts_person_key", table_name="contacts")
    op.execute("ALTER TABLE contacts DROP COLUMN person_key")
    op.drop_table("distinct_pairs")
    op.drop_table("card_fingerprints")
    op.drop_table("import_changes")
    op.drop_table("imports")
    for table in ("organizations", "tags"):
        op.drop_index(f"ix_{table}_name_key", table_name=table)
        op.execute(f"ALTER TABLE {table} DROP COLUMN name_key")  # SQLite 3.35+, no rebuild
