"""What Alembic's comparison leaves out: search objects migrations make by hand."""

from __future__ import annotations


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Leave out the search objects the models do not declare.

    These are the FTS5 tables (SQLite), and the GIN search indexes and the
    generated `search_vector` columns they index (PostgreSQL).
    """
    if name is None:
        return True
    if type_ == "table":
        return "_fts" not in name
    if type_ == "index":
        return not name.endswith("_search")
    if type_ == "column":
        return name != "search_vector"
    return True
