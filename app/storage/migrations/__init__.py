"""Alembic migration scripts, shipped inside the package so frozen builds find them too."""
