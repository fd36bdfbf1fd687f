"""Full-text search: the folded document we index and the query to match it.

Both back-ends index `search_doc`, a column the services fill with folded
words (lower case, accents stripped, punctuation turned into spaces) plus
the digits of every phone number in several forms. Because the folding is
done here, in Python, SQLite's FTS5 and PostgreSQL's tsvector see the same
words, and a search behaves the same on both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, literal_column, select, text
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


def match_ids(table: Table, tokens: list[str], dialect: str) -> ColumnElement[bool]:
    """Return a condition: the row's id is among the rows matching every token.

    Each token matches as a prefix, so 'alv' finds 'Álvaro'.
    """
    if dialect == "sqlite":
        fts = f"{table.name}_fts"
        expression = " ".join(f'"{token}"*' for token in tokens)
        matching: Select[tuple[Any]] = (
            select(literal_column("rowid"))
            .select_from(text(fts))
            .where(text(f"{fts} MATCH :fts_query").bindparams(fts_query=expression))
        )
        return table.c.id.in_(matching)
    expression = " & ".join(f"{token}:*" for token in tokens)
    return func.to_tsvector("simple", table.c.search_doc).op("@@")(
        func.to_tsquery("simple", expression)
    )
