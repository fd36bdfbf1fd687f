"""PostgreSQL: a stored tsvector beside search_doc, and the GIN index on it.

Until now each searchable table had a GIN index on the expression
to_tsvector('simple', search_doc). The index finds matches without parsing,
but a list that walks its sort index and tests each row (a search that many
rows match) parsed every row it read: about 80 ms for 10,000 rows. The
column `search_vector` holds the parsed words, so testing a row is a lookup.

It is a generated column: PostgreSQL computes it from search_doc on every
write, whoever writes (the services, an import, the demo generator's COPY,
an office's own SQL), and adding it fills the existing rows in the same
statement. strip() drops the word positions, which no search uses.

SQLite keeps its FTS5 tables: this revision changes nothing in a SQLite file.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 10:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# NOTE: a frozen copy of 0001's list, not read from db/search.py: this
# revision must do the same thing whatever later code says.
SEARCHABLE = ("contacts", "companies", "deals", "activities")
COLUMN = "search_vector"
VECTOR = "strip(to_tsvector('simple'::regconfig, search_doc))"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in SEARCHABLE:
        # Adding a stored generated column rewrites the table once, filling
        # every existing row; the old index goes before so it is not
        # rebuilt in the rewrite only to be dropped.
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search")
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {COLUMN} tsvector "
            f"GENERATED ALWAYS AS ({VECTOR}) STORED"
        )
        op.execute(
            f"CREATE INDEX ix_{table}_search ON {table} USING gin ({COLUMN}) "
            "WHERE deleted_at IS NULL"
        )
        # The planner's statistics of the new column are what db/search.py
        # asks how many rows a prefix matches; without them it guesses.
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in SEARCHABLE:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search")
        op.execute(f"ALTER TABLE {table} DROP COLUMN {COLUMN}")
        op.execute(
            f"CREATE INDEX ix_{table}_search ON {table} "
            "USING gin (to_tsvector('simple', search_doc)) "
            "WHERE deleted_at IS NULL"
        )
