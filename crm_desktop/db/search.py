"""Full-text search: the folded document we index and the query to match it.

Both back-ends index `search_doc`, a column the services fill with folded
words (lower case, accents stripped, punctuation turned into spaces) plus
the digits of every phone number in several forms. Because the folding is
done here, in Python, SQLite's FTS5 and PostgreSQL's tsvector see the same
words, and a search behaves the same on both. On PostgreSQL the tsvector is
stored beside the text, in the generated column `search_vector` (migration
0004), which the GIN index covers and a walked row is tested by.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    Table,
    any_,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session
from sqlalchemy.sql import func

# Letters that Unicode does not decompose into a base letter plus an accent.
_EXTRA_FOLDS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
    }
)
# Matches beyond which a page walks its sort index rather than sorting every
# match. Walking costs about (page size / share of rows matching) rows;
# sorting costs every match. On PostgreSQL a walked row is tested against its
# stored search_vector, and reading matches from the GIN index costs more per
# row than on SQLite. Measured at 1,000,000 contacts (docs/benchmarks.md).
WALK_MIN_MATCHES = {"sqlite": 5_000, "postgresql": 10_000}
_WORD = re.compile(r"\w+", re.UNICODE)
_PHONE_LIKE = re.compile(r"^[\d\s+()./-]{4,}$")


def fold(value: str) -> str:
    """Fold text for matching and sorting: no case, no accents."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped.translate(_EXTRA_FOLDS))


def sort_key(value: str) -> str:
    """Return the key a list sorts a name by (folded, trimmed, bounded)."""
    return " ".join(fold(value).split())[:300]


def words(value: str) -> list[str]:
    """Split text into folded words, as the index sees them."""
    return _WORD.findall(fold(value).replace("_", " "))


def build_document(texts: Iterable[str], phone_digits: Iterable[str] = ()) -> str:
    """Build the search document for a record, without repeated words."""
    seen: dict[str, None] = {}
    for value in texts:
        for word in words(value):
            seen.setdefault(word, None)
    for digits in phone_digits:
        if digits:
            seen.setdefault(digits, None)
    return " ".join(seen)


def is_phone_like(query: str) -> bool:
    """Tell whether a search looks like a phone number, not a name."""
    return (
        bool(_PHONE_LIKE.match(query.strip())) and sum(c.isdigit() for c in query) >= 4
    )


def match_ids(
    table: Table, tokens: list[str], dialect: str, *, walk: bool = False
) -> ColumnElement[bool]:
    """Return a condition: the row's id is among the rows matching every token.

    Each token matches as a prefix, so 'alv' finds 'Álvaro'.

    Args:
        walk: shape the condition for a list that reads its sort index in
            order and tests each row, rather than reading every match first
            and sorting them; the faster way when many rows match.
    """
    if dialect == "sqlite":
        # NOTE: '+ 0' keeps SQLite from reading rows by the matching ids,
        # the only other way it has to the rows, so it walks the sort index.
        subject = table.c.id + 0 if walk else table.c.id
        return subject.in_(_fts_rowids(table, tokens))
    return _ts_match(table, tokens)


def _fts_rowids(table: Table, tokens: list[str]) -> Select[tuple[Any]]:
    fts = f"{table.name}_fts"
    expression = " ".join(f'"{token}"*' for token in tokens)
    return (
        select(literal_column("rowid"))
        .select_from(text(fts))
        .where(text(f"{fts} MATCH :fts_query").bindparams(fts_query=expression))
    )


def _ts_match(
    table: Table, tokens: list[str], *, walk: bool = False
) -> ColumnElement[bool]:
    expression = " & ".join(f"{token}:*" for token in tokens)
    vector: ColumnElement[Any] = literal_column(f"{table.name}.search_vector", TSVECTOR)
    if walk:
        # NOTE: strip() of the stored, already stripped vector changes
        # nothing but hides the column from the GIN index, so PostgreSQL
        # walks the sort index (as '+ 0' does on SQLite).
        vector = func.strip(vector)
    return vector.op("@@")(func.to_tsquery("simple", expression))


def page_match(
    session: Session, table: Table, tokens: list[str]
) -> ColumnElement[bool]:
    """Return a condition for live rows matching every token, shaped for a page.

    A page sorted by an indexed column has two ways to its rows: read every
    match and sort them, or walk the sort index and test each row until the
    page is full. Neither planner can be trusted to tell how many rows a
    prefix matches, so this picks the way itself: a search for a rare name
    must not walk a million rows, nor a common prefix sort 50,000. SQLite
    asks the full-text index for up to WALK_MIN_MATCHES matches first.
    PostgreSQL first asks its planner, whose statistics of search_vector
    know the common words: a prefix it expects that many matches for walks
    at once, as reading them from the GIN index alone costs more than the
    walk. Otherwise it counts as SQLite does. Only for live rows: the
    PostgreSQL index covers no others. There the ids are read by a statement
    of their own, so a row saved between it and the page's shows from the
    next refresh on.
    """
    dialect = session.get_bind().dialect.name
    limit = WALK_MIN_MATCHES[dialect]
    if dialect == "sqlite":
        sample = _fts_rowids(table, tokens).limit(limit).subquery()
        found = session.scalar(select(func.count()).select_from(sample)) or 0
        return match_ids(table, tokens, dialect, walk=found >= limit)
    live = select(table.c.id).where(
        table.c.deleted_at.is_(None), _ts_match(table, tokens)
    )
    if _planned_rows(session, live) >= limit:
        return _ts_match(table, tokens, walk=True)
    ids = list(session.scalars(live.limit(limit)))
    if len(ids) >= limit:
        return _ts_match(table, tokens, walk=True)
    # The ids themselves, not the match: PostgreSQL then knows how few rows
    # there are.
    return table.c.id == any_(literal(ids, ARRAY(Integer)))


def _planned_rows(session: Session, query: Select[Any]) -> int:
    """Return how many rows PostgreSQL's planner expects a query to return."""
    connection = session.connection()
    compiled = query.compile(connection)
    explain = f"EXPLAIN (FORMAT JSON) {compiled}"
    plan = connection.exec_driver_sql(explain, compiled.params).scalar_one()
    return int(plan[0]["Plan"]["Plan Rows"])
