"""Alembic environment: always run from code on a connection that app.storage.db hands over."""

from alembic import context

from app.model.tables import Base


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    # The FTS5 table and its shadow tables are made by hand in 0001: autogenerate must keep them.
    return not (type_ == "table" and name is not None and name.startswith("contact_search"))


connection = context.config.attributes["connection"]
context.configure(
    include_object=include_object,
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table.
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
