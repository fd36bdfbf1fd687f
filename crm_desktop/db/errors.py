"""crm_desktop's own database errors; db/ raises nothing else to callers."""

from __future__ import annotations


class DatabaseError(Exception):
    """Base class of the errors the database layer reports to callers."""


class DatabaseUnavailableError(DatabaseError):
    """The database cannot be reached or opened (environment, not a bug)."""


class SchemaTooNewError(DatabaseError):
    """The database was written by a newer crm-desktop than this one."""

    def __init__(self, database_revision: str, program_revision: str) -> None:
        super().__init__(
            f"This database has schema version {database_revision}, newer than "
            f"{program_revision}, the newest this copy of crm-desktop knows. "
            "Install the newer crm-desktop that wrote it."
        )
        self.database_revision = database_revision
        self.program_revision = program_revision
