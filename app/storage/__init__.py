"""Opening, migrating and protecting the SQLite file."""
